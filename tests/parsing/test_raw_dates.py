"""``published_raw`` / ``modified_raw``: the date as the page wrote it, or nothing.

The promise: the raw text stands in the page's decoded source (character references read,
white space runs collapsed, nothing more) and, read again in the parser's zone at the
parser's fetch time, gives the record's date. Checked here on small pages for each source
that cannot keep it as it reads (URL, htmldate, a date split over two elements) and on every
page of the shared dev sets.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from crawler.parsing import NotAnArticle, Page, ParseOptions, judge_page, parse_article
from crawler.parsing.dates import parse_stamp, zone_for
from crawler.parsing.metadata import DateFields, extract_date_fields
from crawler.parsing.rawdates import in_page
from tests.conftest import FIXTURES, SEED_URL
from tests.helpers.devsets import DevPage, map_dev_pages, shared_or_skip

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
BODY = "<p>" + "A long paragraph about what the article is about, with enough words in it. " * 12 + "</p>"
_SPACES = re.compile(r"\s+")


def _readable(text: str) -> str:
    return _SPACES.sub(" ", html.unescape(text)).strip()


def written_in(source: str, raw: str) -> bool:
    """The test's own reading of "verbatim": a substring of the decoded source, with
    references read and white space collapsed on both sides."""
    return _readable(raw) in _readable(source)


def reads_back(raw: str, value: str, language: str | None) -> bool:
    """``raw`` read again (the parser's zone for the language, the test's fetch time) gives
    ``value``: the same day for a date, the same instant for a time."""
    stamp = parse_stamp(raw, zone_for(None, language), NOW)
    if stamp is None:
        return False
    if len(value) == 10:
        return not stamp.has_time and stamp.value.date().isoformat() == value
    return stamp.has_time and stamp.value.replace(microsecond=0) == datetime.fromisoformat(value)


def _fields(page_html: str, url: str = "https://example.com/news/story") -> DateFields:
    page = Page.from_bytes(page_html, url)
    return extract_date_fields(page, zone_for(None, page.language), NOW)


def _article(header: str = "", head: str = "", lang: str = "en") -> str:
    return (f'<html lang="{lang}"><head><title>The headline</title>{head}</head><body><article>'
            f"<h1>The headline</h1>{header}{BODY}</article></body></html>")


# --- each source ---------------------------------------------------------------------------

def test_machine_values_keep_their_text() -> None:
    fields = _fields(_article(head='<meta property="article:published_time" content="2024-01-02T08:30:00+01:00">'
                                   '<meta property="article:modified_time" content="2024-01-03T09:00:00Z">'))
    assert (fields.published_raw, fields.modified_raw) == ("2024-01-02T08:30:00+01:00", "2024-01-03T09:00:00Z")


def test_a_url_day_has_no_raw_text() -> None:
    fields = _fields(_article(), "https://example.com/2023/05/17/story.html")
    assert fields.published_at == "2023-05-17"
    assert fields.published_raw is None  # "2023/05/17" is the URL's, not a date the page wrote


def test_an_htmldate_day_has_no_raw_text() -> None:
    # a date htmldate finds in the text that no source of ours reads (no label, not in the header)
    page = _article().replace("</article>", "</article><footer><p>Last seen in print 14.06.2021</p></footer>")
    fields = _fields(page)
    assert fields.published_at == "2021-06-14"
    assert fields.published_raw is None


def test_a_weekday_in_another_element_is_left_out() -> None:
    fields = _fields(_article('<div class="date"><span>Dienstag,</span> <span>29. Januar 2019</span></div>', lang="de"))
    assert fields.published_at == "2019-01-29"
    assert fields.published_raw == "29. Januar 2019"


def test_a_weekday_in_the_same_text_stays() -> None:
    fields = _fields(_article('<div class="date">Dienstag, 29. Januar 2019</div>', lang="de"))
    assert fields.published_raw == "Dienstag, 29. Januar 2019"


def test_a_date_and_time_split_over_two_elements_has_no_raw_text() -> None:
    header = '<div class="source"><span class="date">发布时间：10-08</span><span class="time">12:00</span></div>'
    fields = _fields(_article(header, lang="zh"))
    assert fields.published_at == "2025-10-08T12:00:00+08:00"
    assert fields.published_raw is None  # "10-08 12:00" was never written as one string


def test_a_piece_of_a_longer_value_is_not_written() -> None:
    page = Page.from_bytes('<html><head><meta content="2019-10-08 12:00:57"></head><body>x</body></html>',
                           "https://example.com/")
    assert not in_page(page, "10-08 12:00")
    assert in_page(page, "2019-10-08 12:00:57")


def test_references_and_white_space_are_read_as_written() -> None:
    fields = _fields(_article('<p class="date">Published:\n  29&nbsp;January\n   2019</p>'))
    assert fields.published_at == "2019-01-29"
    assert fields.published_raw is not None and _readable(fields.published_raw) == "29 January 2019"


def test_a_label_separator_is_not_part_of_the_raw_text() -> None:
    fields = _fields(_article('<div class="info">发布时间：2019-09-23 14:34:05&nbsp;&nbsp;</div>', lang="zh"))
    assert fields.published_raw == "2019-09-23 14:34:05"


def test_a_profile_selector_s_date_keeps_only_what_the_page_wrote() -> None:
    page = _article('<div class="when"><span>Dienstag,</span> <span>29. Januar 2019</span></div>', lang="de")
    options = ParseOptions(selectors={"published_at": ".when"})
    record = parse_article(page, "https://example.com/news/story", options, fetched_at=NOW)
    assert record.published_at == "2019-01-29"
    assert record.published_raw == "29. Januar 2019"  # the selector's text joins the two spans


def test_the_seed_page_keeps_its_own_date_text() -> None:
    body = (FIXTURES / "seed-article" / "page.html").read_bytes()
    record = parse_article(body, SEED_URL, fetched_at=datetime(2025, 7, 18, tzinfo=UTC))
    assert record.published_raw == "2025-07-17 07:13:09"
    assert written_in(body.decode("utf-8"), record.published_raw)
    assert record.modified_raw is None


# --- every dev-set page --------------------------------------------------------------------

def _raw_dates_of(dev: DevPage) -> tuple[int, list[str]]:
    """(raw dates checked, failures) of one dev page: each raw value stands in the page and
    reads back to its date. Run in a pool (``map_dev_pages``)."""
    page = Page.from_bytes(dev.html(), dev.url)
    try:
        record = judge_page(page, None, NOW).record
    except NotAnArticle:  # a page without any record has no dates to check
        return 0, []
    checked, failures = 0, []
    for name in ("published", "modified"):
        raw, value = getattr(record, f"{name}_raw"), getattr(record, f"{name}_at")
        if raw is None or value is None:
            continue
        checked += 1
        if not written_in(page.html, raw):
            failures.append(f"{dev.dataset}/{dev.id[:16]} {name}_raw {raw!r} is not in the page")
        elif not reads_back(raw, value, record.language):
            failures.append(f"{dev.dataset}/{dev.id[:16]} {name}_raw {raw!r} does not read back to {value}")
    return checked, failures


@pytest.mark.slow
def test_raw_dates_are_written_on_the_page_and_read_back_on_every_dev_page() -> None:
    shared_or_skip()
    checked = 0
    failures = []
    for count, found in map_dev_pages(_raw_dates_of):
        checked += count
        failures += found
    assert not failures, "\n".join(failures)
    assert checked > 1800  # published and modified raws on ~1,900 records: the check ran
