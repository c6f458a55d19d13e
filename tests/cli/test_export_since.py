"""``export --stored-since TIME`` and ``export --run ID`` around real re-crawls of a local site,
on both backends: what the re-crawl added or changed, and nothing it only saw again."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.cli.test_export_cursors import crawl, five_articles, three_more_and_a_correction
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite

pytestmark = pytest.mark.e2e


def export(db: str, *args: str) -> list[str]:
    result = newscrawl("export", "--db", db, "--fields", "url", *args)
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(line)["url"].rsplit("/", 1)[1] for line in result.stdout.splitlines())


def run_ids(db: str) -> list[int]:
    result = newscrawl("runs", "--db", db, "--json")
    return sorted(json.loads(line)["id"] for line in result.stdout.splitlines())


def test_stored_since_and_run_export_what_was_stored_or_changed(db_url: str) -> None:
    with LocalSite() as site:
        five_articles(site)
        crawl(site, db_url)
        time.sleep(1.1)  # fetched_at is kept to the second
        between = datetime.now(UTC).isoformat(timespec="seconds")
        time.sleep(1.1)
        # 3 new articles, one corrected; the other 4 are fetched again unchanged
        three_more_and_a_correction(site)
        crawl(site, db_url)
    first, second = run_ids(db_url)[-2:]
    changed = ["2.html", "6.html", "7.html", "8.html"]
    assert export(db_url, "--stored-since", between) == changed
    assert export(db_url, "--run", str(second)) == changed
    # run 1 first stored all five (2.html included: the run that changed it is the second)
    assert export(db_url, "--run", str(first)) == [f"{n}.html" for n in range(1, 6)]
    assert export(db_url, "--stored-since", "2000-01-01") == sorted(f"{n}.html" for n in range(1, 9))
    assert export(db_url, "--stored-since", datetime.now(UTC).isoformat(timespec="seconds")) == []
    # publication dates are another filter: these articles say 2024-05-01
    assert export(db_url, "--run", str(second), "--since", "2024-06-01") == []
    assert export(db_url, "--run", str(second), "--site", "cursor-test") == changed
    bad = newscrawl("export", "--db", db_url, "--run", "999999")
    assert bad.returncode == 2 and "no crawl run 999999" in bad.stderr
    other = newscrawl("export", "--db", db_url, "--run", str(second), "--site", "elsewhere")
    assert other.returncode == 2 and "crawled cursor-test, not elsewhere" in other.stderr
