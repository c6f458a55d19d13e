"""Field sources are isolated: one that raises is logged with the page's URL and skipped,
and the page keeps its record (the next source gives the field)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from crawler.parsing import authors, datefields, parse_article, tags
from crawler.parsing.jsonld import walk
from crawler.parsing.page import Page, per_page

URL = "https://www.examplenews.com/2024/05/02/council-tram"
BODY = "".join(f"<p>Paragraph {i} of the article tells what happened in the city council today and why "
               f"it matters to the people who live there.</p>" for i in range(6))
HTML = ("<html lang='en'><head><title>Council approves tram line - Example News</title>"
        "<meta name='author' content='Jane Doe'><meta property='article:tag' content='Trams'>"
        "<meta property='article:published_time' content='2024-05-02T10:00:00+02:00'></head><body>"
        f"<article><h1>Council approves tram line</h1><p class='byline'>By Jane Doe</p>{BODY}</article></body></html>")


def _broken(page: Page, *args: Any) -> Any:
    raise RuntimeError("a bug in one source")


def test_a_failing_source_is_logged_and_skipped(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(authors, "_SOURCES", (_broken, *authors._SOURCES))
    monkeypatch.setattr(tags, "_SOURCES", (_broken, *tags._SOURCES))
    monkeypatch.setattr(datefields, "_first_meta", _broken)
    with caplog.at_level(logging.WARNING):
        record = parse_article(HTML, URL)
    assert record.authors == ["Jane Doe"]
    assert record.tags == ["Trams"]
    assert record.published_at == "2024-05-02"  # the URL's day, as meta tags failed
    assert f"_broken failed on {URL}" in caplog.text


def test_without_failures_the_first_source_wins() -> None:
    record = parse_article(HTML, URL)
    assert record.published_at == "2024-05-02T10:00:00+02:00"
    assert record.authors == ["Jane Doe"]


def test_walk_follows_the_given_members_breadth_first() -> None:
    inner = {"@type": "NewsArticle", "headline": "B"}
    roots = [{"@type": "WebPage", "mainEntity": [inner, inner], "x": {"@type": "Thing"}}]
    follow = lambda obj, depth: obj.get("mainEntity", [])  # noqa: E731
    assert [o.get("headline") for o, _ in walk(roots, follow)] == [None, "B", "B"]
    assert [d for _, d in walk(roots, follow, dedupe=True)] == [0, 1]
    assert len(list(walk(roots, follow, limit=1))) == 1


def test_per_page_values_are_computed_once_per_page() -> None:
    calls: list[str] = []

    @per_page
    def value(page: Page) -> str:
        calls.append(page.url)
        return page.url

    page = Page.from_bytes(b"<html><body>x</body></html>", URL)
    assert value(page) == value(page) == URL
    assert calls == [URL]
