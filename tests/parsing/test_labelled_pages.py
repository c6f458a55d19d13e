"""Hand-labelled real pages, checked field by field.

Every ``tests/fixtures/pages/<lang>/<name>.html`` has its line in ``pages/manifest.jsonl``
(the one fixture format, ``tests/helpers/fixtures.py``) whose ``expected`` fields were written
by reading the page (never by copying parser output). Each labelled field is its own test id
(``zh/163_1-title``), so a failure names the page and the field. ``fetched_at`` from the line
is passed to the parser as "now", so relative dates (3小时前, 昨天, ``MM-DD HH:MM``) are stable.

Comparison rules, chosen to match what a label can honestly say:

* ``published_at`` with a date only (``2019-11-18``): the page shows no time, so only the
  calendar date in the page's own offset is compared. With a time: the same instant, to
  the minute when the label's seconds are 0 (the page showed minutes only).
* ``body_first`` / ``body_last``: a distinctive substring of the first / last body block.
  Image captions are body blocks (record.schema.json), so a page that ends on a caption
  is labelled with that caption.
* ``source_name``: ``record.source.name`` (null when the page names no original publisher).
* ``breadcrumb``: the crumb names; ``summary_start``: the summary starts with it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import pytest

from crawler.parsing import parse_article
from crawler.parsing.record import Record
from tests.helpers.fixtures import FIXTURES, FixturePage, load_manifest

PAGES = FIXTURES / "pages"
LABELLED = {page.name.removesuffix(".html"): page for page in load_manifest(PAGES / "manifest.jsonl")}
FIELDS = ("title", "published_at", "authors", "source_name", "body_first", "body_last", "category", "breadcrumb",
          "view_count", "comment_count", "summary_start")


def _cases() -> list[Any]:
    cases = []
    for page_id, page in LABELLED.items():
        for name in FIELDS:
            if name not in page.expected:
                continue
            cases.append(pytest.param(page_id, name, page.expected[name], id=f"{page_id}-{name}"))
    return cases


@cache
def _record(page_id: str) -> Record:
    """Parse each fixture page once for all its field tests."""
    page: FixturePage = LABELLED[page_id]
    return parse_article(page.html(), page.url, fetched_at=page.fetched_at)


def _same_time(actual: str | None, expected: str) -> bool:
    if actual is None:
        return False
    got = datetime.fromisoformat(actual)
    if len(expected) == 10:  # date only: compare the calendar date the page states
        return got.date().isoformat() == expected
    want = datetime.fromisoformat(expected)
    if want.second == 0:
        return got.replace(second=0) == want
    return got == want


def test_fixture_pairs_are_complete() -> None:
    """Every page has its manifest line with labels, and every line its page; the brief asks
    for >= 24 zh pages."""
    htmls = {str(p.relative_to(PAGES).with_suffix("")) for p in PAGES.glob("*/*.html")}
    assert htmls == set(LABELLED)
    assert all(page.expected and page.fetched_at for page in LABELLED.values())
    assert len([p for p in LABELLED if p.startswith("zh/")]) >= 24


@pytest.mark.parametrize(("page_id", "field", "expected"), _cases())
def test_fixture_field(page_id: str, field: str, expected: Any) -> None:
    record = _record(page_id)
    blocks = record.body_text.split("\n")
    if field == "title":
        assert record.title == expected
    elif field == "published_at":
        assert _same_time(record.published_at, expected), record.published_at
    elif field == "authors":
        assert record.authors == expected
    elif field == "source_name":
        assert (record.source.name if record.source else None) == expected
    elif field == "body_first":
        assert expected in blocks[0], blocks[:3]
    elif field == "body_last":
        assert expected in blocks[-1], blocks[-3:]
    elif field == "category":
        assert record.category == expected
    elif field == "breadcrumb":
        assert [c.name for c in record.breadcrumb] == expected
    elif field == "view_count":
        assert record.view_count == expected
    elif field == "comment_count":
        assert record.comment_count == expected
    elif field == "summary_start":
        assert (record.summary or "").startswith(expected), record.summary
