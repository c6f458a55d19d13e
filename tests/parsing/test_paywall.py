"""``paywalled``: True when the page says its article is not free, False when it says it is,
None when it says nothing. Structured data first, then ``article:content_tier``, then paywall
markup read conservatively (a subscribe or newsletter box is no paywall)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.parsing import parse_article
from crawler.parsing.page import Page
from crawler.parsing.paywall import extract_paywalled
from tests.helpers.pages import article


def _ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _page(head: str = "", body: str = "", url: str = "https://news.example.com/story") -> Page:
    return Page.from_bytes(f"<html><head><title>T</title>{head}</head><body><article><h1>T</h1>"
                           f"<p>Text of the story.</p>{body}</article></body></html>", url)


def _flag(head: str = "", body: str = "") -> bool | None:
    return extract_paywalled(_page(head, body))


NEWS = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "T"}


# --- structured data ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [False, "False", "false", " FALSE "])
def test_article_not_accessible_for_free_is_paywalled(value: Any) -> None:
    assert _flag(_ld(NEWS | {"isAccessibleForFree": value})) is True


@pytest.mark.parametrize("value", [True, "True", "true"])
def test_article_accessible_for_free_is_not_paywalled(value: Any) -> None:
    assert _flag(_ld(NEWS | {"isAccessibleForFree": value})) is False


def test_nested_in_graph_and_main_entity() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "name": "Paper"},
        {"@type": "WebPage", "mainEntity": NEWS | {"isAccessibleForFree": "False"}}]}
    assert _flag(_ld(graph)) is True


def test_a_part_behind_the_paywall() -> None:
    part = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywalled-content"}
    assert _flag(_ld(NEWS | {"hasPart": part})) is True
    assert _flag(_ld(NEWS | {"hasPart": [{"@type": "WebPageElement", "isAccessibleForFree": True,
                                          "cssSelector": ".intro"}, part]})) is True


def test_parts_that_are_all_free_say_free() -> None:
    part = {"@type": "WebPageElement", "isAccessibleForFree": "True", "cssSelector": ".paywall-ld-ident"}
    assert _flag(_ld(NEWS | {"hasPart": part})) is False


def test_the_article_s_own_value_wins_over_its_parts_and_the_markup() -> None:
    free = NEWS | {"isAccessibleForFree": True,
                   "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".x"}}
    locked = '<meta property="article:content_tier" content="locked">'
    assert _flag(_ld(free) + locked, '<div class="paywall">Subscribe to read on</div>') is False


def test_only_the_article_object_counts() -> None:
    # a video on the page, or an offer of the publisher, that is not free says nothing of the article
    video = {"@context": "https://schema.org", "@type": "VideoObject", "name": "clip", "isAccessibleForFree": False}
    publisher = NEWS | {"publisher": {"@type": "Organization", "name": "P", "isAccessibleForFree": False}}
    assert _flag(_ld(NEWS) + _ld(video)) is None
    assert _flag(_ld(publisher)) is None


def test_a_web_page_object_speaks_when_the_article_says_nothing() -> None:
    page = {"@context": "https://schema.org", "@type": "WebPage", "isAccessibleForFree": "false"}
    assert _flag(_ld(NEWS) + _ld(page)) is True


def test_an_empty_value_says_nothing() -> None:
    assert _flag(_ld(NEWS | {"isAccessibleForFree": ""})) is None


# --- content tier ------------------------------------------------------------------------------

@pytest.mark.parametrize(("tier", "expected"), [("locked", True), ("metered", True), ("Metered", True),
                                                ("free", False), ("unknown", None)])
def test_content_tier(tier: str, expected: bool | None) -> None:
    assert _flag(f'<meta property="article:content_tier" content="{tier}">') is expected


# --- markup ------------------------------------------------------------------------------------

def test_a_paywall_box_that_shows_text_is_paywalled() -> None:
    assert _flag(body='<section class="row paywall"><p>Already a subscriber? Log in. Read on with a plan.</p>'
                      "</section>") is True
    assert _flag(body='<div id="Paywall"><p>Weiterlesen mit Abo</p></div>') is True
    assert _flag(body='<div class="story-extra" data-paywall="true"></div>') is True


@pytest.mark.parametrize("body", [
    '<div class="paywall"></div>',  # an empty container a script fills (or not) on every page
    '<div class="paywall-loader">Loading</div>',  # names that merely contain the word
    '<div class="non-paywall"><p>The free part.</p></div>',
    '<div class="steady-paywall-container"><p>The post.</p></div>',
    '<div class="piano-paywall-hide"><p>The article.</p></div>',
    '<div class="story paywall" itemprop="articleBody"><p>The whole article.</p></div>',  # the body itself
    '<div data-paywall="false"><p>x</p></div>',
    '<aside class="newsletter-box"><p>Subscribe to our newsletter!</p></aside>',
    '<div class="subscribe"><p>Subscribe now and save 50%</p></div>',
    '<svg><symbol id="paywall"><path d="M0 0"/></symbol></svg>',
])
def test_markup_that_says_nothing(body: str) -> None:
    assert _flag(body=body) is None


def test_a_page_that_says_nothing_is_null() -> None:
    assert _flag(_ld(NEWS)) is None


def test_the_record_carries_the_flag() -> None:
    closed = article(1, extra="").replace("</head>", _ld(NEWS | {"isAccessibleForFree": False}) + "</head>")
    assert parse_article(closed, "https://news.example.com/1.html").paywalled is True
    assert parse_article(article(2), "https://news.example.com/2.html").paywalled is None
