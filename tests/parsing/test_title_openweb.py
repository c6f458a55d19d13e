"""Titles on open-web news pages: the headline the page declares, from small hand-written pages.

Each case is a general rule (never one site's markup): the JSON-LD headline, og:title,
twitter:title, the visible h1 and ``<title>`` agree up to decoration, and the decoration
(site or section suffix, kicker punctuation, entities) is removed only on evidence.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from crawler.parsing import parse_article
from crawler.parsing.headline import headline_text
from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import Page
from crawler.parsing.summary import extract_summary
from crawler.parsing.title import extract_title

NOW = datetime(2024, 11, 22, 12, 0, tzinfo=UTC)
BODY = "".join(f"<p>Paragraph {i} of the article tells what happened in the city council today and why "
               f"it matters to the people who live there.</p>" for i in range(6))


def _page(head: str = "", body_top: str = "", *, jsonld: Any = None, url: str = "https://news.example.com/a/1") -> str:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld is not None else ""
    return (f"<html lang='en'><head>{head}{script}</head><body>"
            f"<header class='site-header'><h1 class='logo'>Example News</h1></header>"
            f"<main><article>{body_top}<div class='content'>{BODY}</div></article></main></body></html>")


def _title(html: str, url: str = "https://news.example.com/a/1") -> str | None:
    return extract_title(Page.from_bytes(html, url))[0]


def test_jsonld_headline_before_a_live_blog_h1() -> None:
    html = _page("<title>Israel and Gaza: news and developments</title>",
                 "<h1>Latest: tanks move into the north of Rafah +++ port closed</h1>",
                 jsonld={"@type": "NewsArticle", "headline": "Israel and Gaza: news and developments"})
    assert _title(html) == "Israel and Gaza: news and developments"


def test_kicker_kept_when_every_declared_source_carries_it() -> None:
    html = _page('<meta property="og:title" content="After the resignation: lawyer to become minister">'
                 "<title>After the resignation: lawyer to become minister - Example News</title>",
                 "<h1>Lawyer to become minister</h1>",
                 jsonld={"@type": "NewsArticle", "headline": "After the resignation: lawyer to become minister"})
    assert _title(html) == "After the resignation: lawyer to become minister"


def test_no_space_before_the_colon_of_a_kicker_in_its_own_span() -> None:
    html = _page("<title>Example</title>",
                 '<h1><span class="kicker">Storm warning</span><span class="sep">: </span>'
                 '<span class="headline">Schools close early</span></h1>')
    assert _title(html) == "Storm warning: Schools close early"


def test_block_kicker_with_a_hidden_colon() -> None:
    html = _page("<title>Example</title>",
                 '<h1><div class="overline">Storm warning</div><span class="visually-hidden">: </span>'
                 '<span>Schools close early</span></h1>')
    assert _title(html) == "Storm warning: Schools close early"


def test_kicker_class_without_separator_gets_a_colon() -> None:
    el = Page.from_bytes('<html><body><h1> <span class="topline">Flood inquiry</span> '
                         '<span class="text">Two resign</span> </h1></body></html>', "https://x.example/").tree
    assert headline_text(el.find(".//h1")) == "Flood inquiry: Two resign"


def test_french_space_before_colon_is_kept() -> None:
    html = _page('<meta property="og:title" content="« Just do it » : le survêtement devient viral">')
    assert _title(html) == "« Just do it » : le survêtement devient viral"


def test_hidden_and_logo_h1s_are_not_the_headline() -> None:
    html = _page('<title>Political myth of a factory boy - Daily Example</title>'
                 '<meta property="og:site_name" content="Daily Example">',
                 '<h1 class="page_ttl blind">Article detail</h1>'
                 '<h2 class="news_ttl">Political myth of a factory boy</h2>')
    assert _title(html) == "Political myth of a factory boy"


def test_h1_in_the_articles_own_header_is_the_headline() -> None:
    html = _page("<title>Tears flowed - then the twist – Sport</title>",
                 "<header class='article-header'><h1>Tears flowed for the vaulter – then the twist</h1></header>"
                 "<h2>Tears</h2>")
    page = Page.from_bytes(html, "https://news.example.com/a/1")
    assert _title(html) == "Tears flowed for the vaulter – then the twist"
    from crawler.parsing.headline import headline_element as _h1
    assert _h1(page).tag == "h1"


def test_the_h1_most_like_a_declared_title_wins() -> None:
    html = _page('<meta property="og:title" content="Earthquake of magnitude 5 hits the coast, tsunami warning">',
                 "<h1>Tsunami warning</h1><h1>Earthquake of magnitude 5 hits the coast, tsunami warning</h1>")
    page = Page.from_bytes(html, "https://news.example.com/a/1")
    from crawler.parsing.headline import headline_element as _h1
    assert headline_text(_h1(page)) == "Earthquake of magnitude 5 hits the coast, tsunami warning"


@pytest.mark.parametrize(("og", "site", "expected"), [
    ("Russia hits Kyiv with missile | Globalexample.ca", "Global Example", "Russia hits Kyiv with missile"),
    ("停戦「最も合意に近い」 最終案に双方同意か：毎日例新聞", "毎日例新聞",
     "停戦「最も合意に近い」 最終案に双方同意か"),
    ("Budget passes after long night | Example News", "Example News", "Budget passes after long night"),
])
def test_site_suffix_removed_from_og_title(og: str, site: str, expected: str) -> None:
    html = _page(f'<meta property="og:title" content="{og}"><meta property="og:site_name" content="{site}">',
                 url="https://www.globalexample.ca/news/1")
    assert _title(html, "https://www.globalexample.ca/news/1") == expected


def test_section_suffix_removed_when_another_source_is_the_rest() -> None:
    html = _page('<meta property="og:title" content="Young striker is back: coach asks for patience">',
                 jsonld={"@type": "NewsArticle", "headline": "Young striker is back: coach asks for patience | Sport"})
    assert _title(html) == "Young striker is back: coach asks for patience"


def test_dash_inside_a_headline_is_no_suffix() -> None:
    html = _page('<meta property="og:title" content="Tears flowed for the vaulter – then the twist">'
                 "<title>Tears flowed for the vaulter – then the twist</title>")
    assert _title(html) == "Tears flowed for the vaulter – then the twist"


def test_headline_named_like_the_application_is_not_a_site_name() -> None:
    html = _page('<meta name="application-name" content="AI in school - children learn faster">'
                 "<title>AI in school - children learn faster</title>",
                 jsonld={"@type": "NewsArticle", "headline": "AI in school - children learn faster"})
    assert _title(html) == "AI in school - children learn faster"


def test_truncated_og_title_completed_from_the_h1() -> None:
    html = _page('<meta property="og:title" content="Your old banknote could be worth thousands - here is how…">',
                 "<h1>Your old banknote could be worth thousands - here is how to check</h1>")
    assert _title(html) == "Your old banknote could be worth thousands - here is how to check"


def test_entities_in_the_jsonld_headline_are_decoded() -> None:
    html = _page(jsonld={"@type": "NewsArticle", "headline": "&quot;Pink hair&quot; puzzles the public"})
    assert _title(html) == '"Pink hair" puzzles the public'


def test_jsonld_headline_equal_to_the_site_name_is_not_taken() -> None:
    html = _page('<meta property="og:site_name" content="Example News">'
                 '<meta property="og:title" content="Council approves the new tram line">',
                 jsonld={"@type": "NewsArticle", "headline": "Example News"})
    assert _title(html) == "Council approves the new tram line"


def test_jsonld_article_in_graph_and_main_entity() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example News"},
        {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Nested headline wins",
                                            "articleSection": "Politics"}}]}
    page = Page.from_bytes(_page(jsonld=graph), "https://news.example.com/a/1")
    assert jsonld_article(page)["headline"] == "Nested headline wins"
    assert extract_title(page)[0] == "Nested headline wins"


def test_jsonld_article_of_this_url_among_related_ones() -> None:
    items = [{"@type": "NewsArticle", "headline": "Another story", "url": "https://news.example.com/a/2"},
             {"@type": "NewsArticle", "headline": "This story", "url": "https://news.example.com/a/1"}]
    assert _title(_page(jsonld=items)) == "This story"


def test_spam_prefix_stripped_only_when_other_sources_lack_it() -> None:
    spam = _page('<meta property="og:title" content="Council approves tram line">'
                 "<title>[BuyPills] Council approves tram line</title>",
                 "<h1>[BuyPills] Council approves tram line</h1>")
    record = parse_article(spam.encode(), "https://news.example.com/a/1", fetched_at=NOW)
    assert record.title == "Council approves tram line"
    kicker = _page('<meta property="og:title" content="Kenya: Nairobi from below">'
                   '<meta name="twitter:title" content="Kenya: Nairobi from below">',
                   "<h1>Nairobi from below</h1>",
                   jsonld={"@type": "NewsArticle", "headline": "Kenya: Nairobi from below"})
    assert _title(kicker) == "Kenya: Nairobi from below"


def test_headline_with_the_meta_line_inside_gives_it_to_dates_source_authors() -> None:
    paras = "".join(f"<p>第{i}段：市政府今天召开新闻发布会，介绍了城市公共交通的最新建设进展和工作安排。</p>"
                    for i in range(6))
    html = (f"<html lang='zh'><head><title>市区新增三条公交线路_示例新闻网</title></head><body>"
            f"<div class='article'><h1>市区新增三条公交线路<span class='info'>发布时间：2024-03-05 10:00 "
            f"来源：新华网 作者：王芳</span></h1><div class='content'>{paras}</div></div></body></html>")
    record = parse_article(html.encode(), "http://news.example.cn/a/1.html", fetched_at=NOW)
    assert record.title == "市区新增三条公交线路"
    assert record.published_at == "2024-03-05T10:00:00+08:00"
    assert record.source is not None and record.source.name == "新华网"
    assert record.authors == ["王芳"]


# --- summary -----------------------------------------------------------------------------------

def test_declared_description_before_a_class_hinted_box() -> None:
    html = _page('<meta property="og:description" content="The council approved the tram line after a long night.">',
                 '<div class="newsletter-intro">Every Monday the top stories of the week in your inbox, free.</div>')
    assert extract_summary(Page.from_bytes(html, "https://news.example.com/a/1"))[0] == \
        "The council approved the tram line after a long night."


def test_labelled_summary_stays_first() -> None:
    html = _page('<meta name="description" content="A generic description of the site and its news.">',
                 "<div><p>摘要：市政府今天召开新闻发布会，介绍城市公共交通建设进展。</p></div>")
    assert extract_summary(Page.from_bytes(html, "https://news.example.com/a/1"))[0] == \
        "市政府今天召开新闻发布会，介绍城市公共交通建设进展。"


def test_jsonld_description_in_main_entity_when_no_meta() -> None:
    graph = {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "H",
                                                "description": "What the editors wrote as the standfirst."}}
    html = _page(jsonld=graph)
    assert extract_summary(Page.from_bytes(html, "https://news.example.com/a/1"))[0] == \
        "What the editors wrote as the standfirst."


def test_article_section_and_keywords_from_main_entity() -> None:
    ld = {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Council approves tram line",
                                             "articleSection": "Politics", "keywords": ["tram", "council"],
                                             "datePublished": "2024-05-01T10:00:00Z"}}
    record = parse_article(_page(jsonld=ld).encode(), "https://news.example.com/a/1", fetched_at=NOW)
    assert record.category == "Politics"
    assert record.tags == ["tram", "council"]


@pytest.mark.parametrize(("og", "expected"), [
    ("Heavy rain in the north : 31.10.2023, 10.19 Uhr", "Heavy rain in the north"),
    ("Running in winter › Example Blog", "Running in winter"),
])
def test_date_and_blog_suffixes(og: str, expected: str) -> None:
    html = _page(f'<meta property="og:title" content="{og}"><meta property="og:site_name" content="Example Blog">')
    assert _title(html) == expected


def test_slug_in_the_jsonld_headline_is_not_taken() -> None:
    html = _page('<meta property="og:title" content="18 child seats tested: four fail">'
                 "<title>18 child seats tested: four fail</title>",
                 jsonld={"@type": "NewsArticle", "headline": "adac-childseat-test-autumn-2018"})
    assert _title(html) == "18 child seats tested: four fail"


def test_hidden_kicker_colon_without_a_space() -> None:
    el = Page.from_bytes('<html><body><h1><span class="kicker">Press release</span><span class="sr-only">:</span>'
                         'Vaccination still possible</h1></body></html>', "https://x.example/").tree
    assert headline_text(el.find(".//h1")) == "Press release: Vaccination still possible"


def test_dangling_separator_dropped() -> None:
    assert _title(_page('<meta property="og:title" content="Equestrian sport stays in the games -">')) == \
        "Equestrian sport stays in the games"
