"""The cleaning stage: Unicode normalisation, script conversion with the variant table,
HTML sanitising with absolute URLs, and the crawl path's checks after them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from crawler.article import article_problem, process_page
from crawler.parsing import ParseOptions, parse_article
from crawler.parsing.clean import (
    CleanedRecord,
    clean_record,
    convert_html_text,
    convert_script,
    normalize_blocks,
    normalize_text,
    to_simplified,
    to_traditional,
)
from crawler.parsing.record import Crumb, Image, Record
from storage.sanitize import sanitize_html
from tests.conftest import SEED_URL

XSS = [
    '<script>document.title="XSS"</script>',
    '<img src=x onerror="document.title=\'XSS\'">',
    '<svg onload="document.title=\'XSS\'"></svg>',
    '<a href="javascript:document.title=\'XSS\'">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<details open ontoggle="alert(1)">x</details>',
    '<body onload="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="vbscript:msgbox(1)">v</a>',
    '<img src="x" srcset="javascript:alert(1) 1x">',
    '<div><style>@import "javascript:alert(1)";</style></div>',
    '<template><script>alert(1)</script></template>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
]


@pytest.fixture
def seed(seed_page: bytes) -> Record:
    return parse_article(seed_page, SEED_URL)


def test_normalize_keeps_chinese_punctuation_and_removes_invisible_characters() -> None:
    text = "来源：新华社，\u200b（记者）\x00  张三\u2028《报道》、“引语”。\ufeff\u00ad"
    assert normalize_text(text) == "来源：新华社，（记者） 张三《报道》、“引语”。"
    assert normalize_text("ＡＩ芯片１２３！") == "AI芯片123！"  # letters/digits to ASCII, ！ stays
    assert normalize_text("e\u0301") == "é"  # NFC
    assert normalize_text("bad\ud800half") == "badhalf"
    assert normalize_blocks(" 第一段\u3000\u3000内容 \n\n\u200b\n第二段\t\t内容") == "第一段 内容\n第二段 内容"


@pytest.mark.parametrize("machine, simplified", [
    ("曏", "向"), ("紥尅伯格", "扎克伯格"), ("蓡與", "参与"), ("我希望曏我滙報的人數最少", "我希望向我汇报的人数最少"),
    ("實騐室", "实验室"), ("模型蓡數堆曡", "模型参数堆叠"),
])
def test_machine_converted_variants_come_out_right(machine: str, simplified: str) -> None:
    assert to_simplified(machine) == simplified
    assert convert_script(machine, "simplified") == simplified
    assert convert_script(machine, "keep") == machine


def test_traditional_target_repairs_variants_to_standard_traditional() -> None:
    assert to_traditional("紥尅伯格蓡與了曏我滙報") == "扎克伯格參與了向我彙報"
    assert convert_script("头发和发展", "traditional") == "頭髮和發展"
    with pytest.raises(ValueError, match="unknown script"):
        convert_script("x", "klingon")


def test_html_conversion_touches_text_only() -> None:
    html = '<p><a href="http://a.example/國際/">國際新聞</a></p>'
    assert convert_html_text(html, "simplified") == '<p><a href="http://a.example/國際/">国际新闻</a></p>'


@pytest.mark.parametrize("payload", XSS)
def test_sanitizer_leaves_nothing_executable(payload: str) -> None:
    out = sanitize_html(f"<p>before</p>{payload}<p>after</p>", "http://a.example/news/1.html") or ""
    lowered = out.lower()
    for bad in ("<script", "javascript:", "vbscript:", "data:", " on", "style=", "<iframe", "<object", "<svg",
                "<math", "<form", "<meta", "<base", "srcset", "srcdoc"):
        assert bad not in lowered, (payload, out)
    assert "before" in out and "after" in out


def test_sanitizer_makes_urls_absolute_and_keeps_article_markup() -> None:
    html = ('<h2>小标题</h2><p>正文<a href="../about.html" onclick="x()">链接</a></p>'
            '<figure><img src="/img/1.jpg" alt="图"><figcaption>说明</figcaption></figure><ul><li>一</li></ul>')
    out = sanitize_html(html, "http://a.example/news/2025/1.html")
    assert out == ('<h2>小标题</h2><p>正文<a href="http://a.example/news/about.html" '
                   'rel="noopener noreferrer nofollow">链接</a></p><figure><img src="http://a.example/img/1.jpg" '
                   'alt="图"><figcaption>说明</figcaption></figure><ul><li>一</li></ul>')
    assert sanitize_html("  ") is None and sanitize_html("<script>x</script>") is None


def test_clean_record_converts_and_keeps_the_original(seed: Record) -> None:
    dirty = replace(seed, title=seed.title + "\u200b", body_html=(seed.body_html or "") + '<script>x()</script>',
                    images=[*seed.images, Image(src="javascript:alert(1)"), Image(src="/rel.png", alt="\x00图")],
                    breadcrumb=[Crumb(name="首頁", url="/"), Crumb(name="\u200b")])
    cleaned = clean_record(dirty, "simplified")
    assert isinstance(cleaned, CleanedRecord) and isinstance(cleaned, Record)
    assert "扎克伯格" in cleaned.body_text and "蓡" not in cleaned.body_text
    assert cleaned.title == "OpenAI大腿又被挖,Meta如此豪赌究竟图什么?"
    assert cleaned.title_raw == seed.title_raw  # the page's headline is never converted
    assert "<script" not in cleaned.body_html and "扎克伯格" in cleaned.body_html
    assert [i.src for i in cleaned.images][-1] == "http://zixun.example.com/rel.png"
    assert all(not i.src.startswith("javascript") for i in cleaned.images)
    assert cleaned.breadcrumb == [Crumb(name="首页", url="http://zixun.example.com/")]
    assert cleaned.original["script"] == "simplified"
    assert cleaned.original["body_text"] == seed.body_text and cleaned.original["title"] == seed.title
    assert "original" not in cleaned.to_dict()
    assert cleaned.content_hash == seed.content_hash  # script-independent


def test_keep_leaves_the_script_alone(seed: Record) -> None:
    cleaned = clean_record(seed, "keep")
    assert cleaned.body_text == seed.body_text and cleaned.original is None


def _through_the_crawl_path(html: bytes, script: str) -> Any:
    """The record the crawl would store for the seed page with a profile's ``script``."""
    outcome = process_page(html, SEED_URL, ParseOptions(), datetime(2026, 1, 1, tzinfo=UTC), 200, None,
                           want_article=True, want_links=False, script=script)
    assert outcome.invalid is None and outcome.record is not None, outcome
    return outcome.record


def test_the_crawl_path_cleans_with_the_profile_script(seed_page: bytes) -> None:
    assert "扎克伯格" in _through_the_crawl_path(seed_page, "simplified").body_text
    assert "紥尅伯格" in _through_the_crawl_path(seed_page, "keep").body_text
    traditional = _through_the_crawl_path(seed_page, "traditional").body_text
    assert "向我彙報" in traditional and "扎克伯格" in traditional and "紥" not in traditional
    record = _through_the_crawl_path(seed_page, "keep")
    assert isinstance(record, CleanedRecord) and record.signature  # signed for the near-duplicate index


def test_what_the_crawl_refuses_to_store_says_why(seed: Record) -> None:
    assert article_problem(clean_record(seed, "keep")) is None
    assert article_problem(replace(seed, title="")) == "missing title"
    assert article_problem(replace(seed, body_text="太短了")).startswith("body too short")
    # Cleaning can empty a title made of invisible characters: checked after cleaning.
    assert article_problem(clean_record(replace(seed, title="\u200b\u200b"), "keep")) == "missing title"
    assert "out of range" in article_problem(clean_record(replace(seed, view_count=2**40), "keep"))
