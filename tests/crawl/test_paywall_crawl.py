"""A real crawl of a local site whose articles say different things about access and write
their dates their own way: what the store keeps of it, and what ``stats``, ``show`` and
``export`` give back (the paywall flag per record and per site, the dates as written)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import PARAGRAPHS, listing

pytestmark = pytest.mark.e2e

CLOSED_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
             '"headline": "H", "isAccessibleForFree": "False", "hasPart": {"@type": "WebPageElement", '
             '"isAccessibleForFree": false, "cssSelector": ".locked"}}</script>')
METERED = '<meta property="article:content_tier" content="metered">'
FREE_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
           '"headline": "H", "isAccessibleForFree": true}</script>')


def story(n: int, head: str, dateline: str) -> str:
    """An article whose date is only in its header text, as the page writes it."""
    title = f"Council story number {n} about the city budget"
    paras = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    return (f'<html lang="en"><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>'
            f'<p class="dateline">{dateline}</p>{paras}</article></body></html>')


PAGES = {
    "/news/1.html": story(1, CLOSED_LD, "Published: 3 March 2024, 09:15"),
    "/news/2.html": story(2, METERED, "Published: March 4, 2024"),
    "/news/3.html": story(3, FREE_LD, "Published: 05.03.2024"),
    "/news/4.html": story(4, "", "Published: 6 March 2024"),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('paywall') / 'p.db'}"
    with LocalSite() as site:
        site.route("/", listing(list(PAGES)))
        for path, body in PAGES.items():
            site.route(path, body)
        result = newscrawl("crawl", site.url("/"), "--profile", "fast", "--db", db, "--log-level", "WARNING")
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def _records(db: str) -> dict[str, dict]:
    lines = newscrawl("export", "--db", db, "--format", "jsonl").stdout.splitlines()
    return {json.loads(line)["url"].rsplit("/", 1)[-1]: json.loads(line) for line in lines}


def test_the_store_keeps_the_flag_and_the_dates_as_written(crawled: str) -> None:
    records = _records(crawled)
    assert {name: r["paywalled"] for name, r in records.items()} == {
        "1.html": True, "2.html": True, "3.html": False, "4.html": None}
    assert {name: r["published_raw"] for name, r in records.items()} == {
        "1.html": "3 March 2024, 09:15", "2.html": "March 4, 2024", "3.html": "05.03.2024", "4.html": "6 March 2024"}
    assert records["1.html"]["published_at"] == "2024-03-03T09:15:00+00:00"


def test_stats_counts_paywalled_records_per_site(crawled: str) -> None:
    data = json.loads(newscrawl("stats", "--db", crawled, "--json").stdout)
    # (the listing page is a reject, counted under a site of its own without records)
    assert [(s["records"], s["paywalled"]) for s in data["sites"] if s["records"]] == [(4, 2)]
    assert data["paywalled"] == 2
    text = newscrawl("stats", "--db", crawled).stdout
    assert "2 paywalled" in text and "paywl" in text


def test_show_prints_the_dates_as_written_and_the_flag(crawled: str) -> None:
    url = next(r["url"] for r in _records(crawled).values() if r["url"].endswith("/1.html"))
    text = newscrawl("show", url, "--db", crawled).stdout
    assert "as written: 3 March 2024, 09:15" in text
    assert "paywalled: yes" in text
    free = next(r["url"] for r in _records(crawled).values() if r["url"].endswith("/3.html"))
    assert "paywalled: no" in newscrawl("show", free, "--db", crawled).stdout
    unsaid = next(r["url"] for r in _records(crawled).values() if r["url"].endswith("/4.html"))
    assert "paywalled" not in newscrawl("show", unsaid, "--db", crawled).stdout


def test_every_export_format_carries_them(crawled: str, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(newscrawl("export", "--db", crawled, "--format", "csv").stdout)))
    by_name = {row["url"].rsplit("/", 1)[-1]: row for row in rows}
    assert by_name["1.html"]["paywalled"] == "True" and by_name["4.html"]["paywalled"] == ""
    assert by_name["2.html"]["published_raw"] == "March 4, 2024"
    array = json.loads(newscrawl("export", "--db", crawled, "--format", "json").stdout)
    assert sorted(str(r["paywalled"]) for r in array) == ["False", "None", "True", "True"]
    page = newscrawl("export", "--db", crawled, "--format", "html").stdout
    assert '<time datetime="2024-03-03T09:15:00+00:00">3 March 2024, 09:15</time>' in page
    assert page.count('<span class="paywalled">paywalled</span>') == 2
