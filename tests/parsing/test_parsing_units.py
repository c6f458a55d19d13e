"""Small, direct checks of the field extractors on hand-written pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsing import NotAnArticle, parse_article
from crawler.parsing.clean import normalize_text, to_simplified
from crawler.parsing.dates import iso, parse_date
from crawler.parsing.encoding import decode_html
from crawler.parsing.urls import canonicalize, registered_domain
from storage.textfold import fold_for_hash

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-07-17 07:13:09", "2025-07-17T07:13:09+08:00"),
    ("发布时间：2023年11月02日 08:15", "2023-11-02T08:15:00+08:00"),
    ("2019.08.20", "2019-08-20T00:00:00+08:00"),
    ("2024-03-05T09:12:33Z", "2024-03-05T09:12:33+00:00"),
    ("March 5, 2024 3:04 pm", "2024-03-05T15:04:00+08:00"),
    ("3小时前", "2024-03-06T17:00:00+08:00"),
    ("昨天 14:00", "2024-03-05T14:00:00+08:00"),
    ("09-1.24", None),
    ("width: 2019px", None),
])
def test_dates(text: str, expected: str | None) -> None:
    assert iso(parse_date(text, CST, NOW)) == expected


def test_canonical_url_strips_tracking_and_normalises() -> None:
    url = "HTTP://Example.COM:80/a/b.html?utm_source=x&b=2&a=1#top"
    assert canonicalize(url) == "http://example.com/a/b.html?a=1&b=2"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("http://127.0.0.1:8000/") == "127.0.0.1"


def test_utf8_page_mislabelled_gb2312_decodes_as_utf8() -> None:
    body = '<meta charset="gb2312"><p>镕喆堃天气</p>'.encode()
    assert "镕喆堃天气" in decode_html(body).text


def test_gbk_page_decodes_with_gb18030() -> None:
    body = '<meta charset="gb2312"><p>朱镕基 天气</p>'.encode("gb18030")
    decoded = decode_html(body)
    assert decoded.clean and "朱镕基 天气" in decoded.text


def test_normalize_keeps_chinese_punctuation_and_drops_invisibles() -> None:
    assert normalize_text("来源：新华社，\u200b（记者）\x00  张三") == "来源：新华社，（记者） 张三"


def test_script_variants_fold() -> None:
    assert to_simplified("曏 紥尅伯格 蓡與") == "向 扎克伯格 参与"
    assert fold_for_hash("紥尅伯格說") == fold_for_hash("扎克伯格说")


ENGLISH = """<html lang="en"><head><title>Council approves budget | Daily Demo</title>
<meta property="og:title" content="Council approves budget">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Council approves budget","datePublished":"2024-03-05T09:00:00-05:00",
"author":{"@type":"Person","name":"Jane Doe"},"publisher":{"@type":"Organization","name":"Daily Demo"}}</script>
</head><body><nav class="breadcrumb"><a href="/">Home</a> » <a href="/city/">City</a></nav>
<article><h1>Council approves budget</h1><p class="byline">By Jane Doe</p>
<p>The city council approved the budget on Tuesday after a long debate about parks and roads.</p>
<p>Members voted seven to two in favour of the plan, which adds money for libraries and buses.</p>
<p>The mayor said the vote showed the council could work together on hard questions this year.</p>
</article><div class="comments"><p>Posted 2024-03-06 10:00</p></div></body></html>"""


def test_english_article_fields() -> None:
    record = parse_article(ENGLISH.encode(), "https://daily.example.org/city/budget?utm_source=tw", fetched_at=NOW)
    assert record.title == "Council approves budget"
    assert record.published_at == "2024-03-05T09:00:00-05:00"
    assert record.authors == ["Jane Doe"]
    assert [c.name for c in record.breadcrumb] == ["Home", "City"]
    assert record.category == "City"
    assert record.canonical_url == "https://daily.example.org/city/budget"
    assert record.language == "en"
    assert record.source and record.source.name == "Daily Demo"
    assert record.title_spam_prefix is None


def test_editor_is_not_author_and_source_label_is_source() -> None:
    html = """<html lang="zh-CN"><head><title>市区新增三条公交线路_新闻</title></head><body>
    <h1>市区新增三条公交线路</h1>
    <div class="info">2024-03-05 09:12 来源：示例日报 作者：王芳 责任编辑：李强 阅读 1523次</div>
    <div class="content"><p>本报讯 市交通局昨日宣布，下月起市区将新增三条公交线路，方便市民出行。</p>
    <p>新线路覆盖城东新区和大学城，早晚高峰发车间隔缩短至八分钟，票价保持不变。</p>
    <p>交通局表示，将根据客流情况继续优化线路和班次，并听取市民意见和建议。</p></div></body></html>"""
    record = parse_article(html.encode(), "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.authors == ["王芳"]
    assert record.source and record.source.name == "示例日报"
    assert record.view_count == 1523
    assert record.published_at == "2024-03-05T09:12:00+08:00"


def test_prefix_kept_without_evidence() -> None:
    html = """<html lang="zh"><head><title>专访：一位老教师的四十年</title></head><body><h1>央行：下调存款准备金率</h1>
    <p class="time">2024-03-05 10:00</p>
    <div class="content"><p>中国人民银行今日宣布，下调金融机构存款准备金率零点五个百分点，释放长期资金。</p>
    <p>此次下调将于下周生效，预计将为市场提供流动性支持，降低银行的资金成本。</p>
    <p>分析人士认为，此举有助于稳定市场预期，支持实体经济发展，后续政策仍有调整空间。</p></div></body></html>"""
    record = parse_article(html.encode(), "http://bank.example.cn/1.html", fetched_at=NOW)
    assert record.title == "央行：下调存款准备金率"
    assert record.title_spam_prefix is None


def test_page_without_headline_or_body_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        parse_article(b"<html><body><ul><li><a href='/a'>a</a></li></ul></body></html>", "http://x.example.com/")
