"""Encodings and metadata rules, on bytes and pages written here.

Each case is a general rule the fixtures under tests/fixtures/pages taught us, reduced to a
page small enough to read in the test.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsing import judge_article, parse_article
from crawler.parsing.dates import iso, parse_date
from crawler.parsing.encoding import decode_html

CST = timezone(timedelta(hours=8))
NOW = datetime(2020, 2, 29, 12, 0, tzinfo=CST)
TEXT = "朱镕基与陶喆在堃城谈天气"
PARAS = "".join(f"<p>{TEXT}，第{i}段讲述了市区新增公交线路和城东新区的出行变化，方便市民。</p>" for i in range(6))


# --- encodings -------------------------------------------------------------------------------

@pytest.mark.parametrize(("codec", "label"), [
    ("gb18030", "gb2312"), ("gb18030", "gbk"), ("gb18030", "gb18030"), ("gbk", "gb2312"), ("big5", "big5"),
])
def test_declared_chinese_charsets_decode(codec: str, label: str) -> None:
    text = TEXT if codec != "big5" else "陶先生在臺北談天氣"
    body = f'<html><head><meta charset="{label}"></head><body><p>{text}</p></body></html>'.encode(codec)
    decoded = decode_html(body)
    assert decoded.clean and text in decoded.text


def test_utf8_page_labelled_gb2312_in_header_and_meta() -> None:
    body = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{TEXT}</p>'.encode()
    decoded = decode_html(body, header_encoding="gb2312")
    assert decoded.clean and TEXT in decoded.text and decoded.encoding == "utf-8"


def test_gbk_page_labelled_utf8() -> None:
    body = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("gb18030")
    decoded = decode_html(body, header_encoding="utf-8")
    assert decoded.clean and TEXT in decoded.text


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                       (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_byte_order_marks_win(bom: bytes, codec: str) -> None:
    body = bom + f'<meta charset="gb2312"><p>{TEXT}</p>'.encode(codec)
    decoded = decode_html(body, header_encoding="iso-8859-1")
    assert TEXT in decoded.text and not decoded.text.startswith("\ufeff")


def test_stray_bytes_in_utf8_are_replaced_flagged_and_the_page_kept() -> None:
    """A few invalid bytes in a UTF-8 page cost those characters, not the page (FACTS.md: about
    one open-web page in twenty); the verdict says how many were replaced."""
    body = ("<html><head><title>标题</title></head><body><h1>标题</h1>" + PARAS + "</body></html>").encode()
    broken = body.replace("段".encode(), b"\xff\xfe\xff", 3)
    decoded = decode_html(broken)
    assert not decoded.clean and decoded.encoding == "utf-8" and decoded.replaced == 9
    verdict = judge_article(broken, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert verdict.is_article and verdict.warnings == ("9 undecodable byte sequence(s) replaced (read as utf-8)",)
    assert "\ufffd" in verdict.record.body_text and "城东新区" in verdict.record.body_text


def test_a_gbk_page_without_charset_is_not_read_as_lossy_utf8() -> None:
    body = ("<html><head><title>朱镕基谈天气</title></head><body><h1>朱镕基谈天气</h1>" + PARAS
            + "</body></html>").encode("gb18030")
    decoded = decode_html(body)
    assert decoded.clean and decoded.encoding == "gb18030" and "朱镕基" in decoded.text


def test_output_before_the_document_does_not_hide_the_head() -> None:
    """A PHP warning printed before <html> made libxml2 open the body there, so the <title> and
    the meta tags landed in the body and the page had no headline."""
    page = ("<br />\n<b>Warning</b>: mysql_connect(): Access denied in <b>/www/x.php</b> on line <b>9</b><br />\n"
            "<!DOCTYPE html><html><head><title>Der Mai ist da | Blog</title>"
            '<meta property="og:title" content="Der Mai ist da"></head><body><h1>Der Mai ist da</h1>'
            + PARAS + "</body></html>")
    verdict = judge_article(page.encode(), "http://blog.example.de/2010/05/mai/", fetched_at=NOW)
    assert verdict.record.title == "Der Mai ist da"
    assert "Warning" not in verdict.record.body_text


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("发布时间：10-08 12:00", "2019-10-08T12:00:00+08:00"),  # 百家号: no year, later than "now" -> last year
    ("01-14 17:58", "2020-01-14T17:58:00+08:00"),
    ("发布时间：18-03-08 23:16", "2018-03-08T23:16:00+08:00"),
    ("1-10月德清县固定资产投资", None),
    ("09-1.24", None),
])
def test_year_less_and_two_digit_year_dates(text: str, expected: str | None) -> None:
    assert iso(parse_date(text, CST, NOW)) == expected


def _page(head: str, header: str, body: str = PARAS, lang: str = "zh-CN") -> bytes:
    return (f'<html lang="{lang}"><head>{head}</head><body><div class="wrap">'
            '<h2 class="art-title">市区新增三条公交线路</h2>'
            f'<div class="info">{header}</div><div class="content">{body}</div></div>'
            '<div class="comments"><span class="time">2020-02-29 11:00</span></div></body></html>').encode()


def test_headline_without_h1_and_split_label_pieces() -> None:
    html = _page("<title>市区新增三条公交线路_示例新闻网</title><meta name=author content=示例新闻网>",
                 '<span>发布时间：02-27</span> <span>08:15</span> 来源:<a class="source">示例日报</a> '
                 '<span>作者</span><span>王芳</span> 责任编辑：李强 <em>37</em>评论')
    record = parse_article(html, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.title == "市区新增三条公交线路"
    assert record.published_at == "2020-02-27T08:15:00+08:00"
    assert record.source and record.source.name == "示例日报"
    assert record.authors == ["王芳"]
    assert record.comment_count == 37


def test_chinese_page_declared_english_reads_times_in_china() -> None:
    html = _page("<title>市区新增三条公交线路</title>", "2020-02-27 08:15", lang="en")
    record = parse_article(html, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.published_at == "2020-02-27T08:15:00+08:00"


@pytest.mark.parametrize("meta_author", ["示例新闻网", "name, email@gmail.com", "https://facebook.com/x", "未知"])
def test_meta_author_that_is_not_a_person_is_dropped(meta_author: str) -> None:
    html = _page(f'<title>市区新增三条公交线路_示例新闻网</title><meta name="author" content="{meta_author}">',
                 "2020-02-27 08:15 来源：示例日报")
    record = parse_article(html, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.authors == []


def test_agency_dateline_names_the_reporter() -> None:
    body = "<p>新华社巴黎12月9日电（记者唐霁、王芳）" + PARAS[3:]
    html = _page("<title>市区新增三条公交线路</title>", "2020-02-27 08:15 来源：新华网", body=body)
    record = parse_article(html, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.authors == ["唐霁", "王芳"]


def test_english_byline_drops_the_organisation() -> None:
    html = ('<html lang="en"><head><title>Markets slide - CNN</title><meta property="og:site_name" content="CNN">'
            '<meta name="author" content="Jill Disis, CNN Business">'
            '<meta property="article:published_time" content="2019-11-19T02:34:30Z"></head><body>'
            '<h1>Markets slide</h1>' + "".join(f"<p>Paragraph {i} about markets falling in Asia on trade news.</p>"
                                              for i in range(8)) + "</body></html>").encode()
    record = parse_article(html, "https://www.cnn.com/2019/11/18/x.html", fetched_at=datetime(2019, 11, 20, tzinfo=UTC))
    assert record.authors == ["Jill Disis"]


@pytest.mark.parametrize("label", ["当前位置", "&#24403;&#21069;&#20301;&#32622;"], ids=["text", "char-refs"])
def test_visible_trail_label_is_found_however_it_is_written(label: str) -> None:
    """A 当前位置 trail without breadcrumb markup: found by its label, also when the page
    writes the label as character references (the raw HTML then has no 位置)."""
    html = _page("<title>市区新增三条公交线路_示例新闻网</title>",
                 f'<div>{label}：<a href="/">首页</a> &gt; <a href="/shehui/">社会</a> &gt; 正文</div>')
    record = parse_article(html, "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert [crumb.name for crumb in record.breadcrumb][:2] == ["首页", "社会"]
