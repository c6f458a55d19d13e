"""``export --changes-since NAME`` around real re-crawls of a local site, on both backends:
the second export holds exactly what the re-crawl added or changed, an interrupted export
leaves the cursor where it was, and cursors of different names are independent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def crawl(site: LocalSite, db: str) -> None:
    # NEWSCRAWL_INCREMENTAL off: every article is fetched again, so a changed text is seen.
    result = newscrawl("crawl", site.url("/"), "--db", db, "--preset", "fast", "--site", "cursor-test",
                       "--log-level", "WARNING", "-s", "NEWSCRAWL_INCREMENTAL=False")
    assert result.returncode == 0, result.stderr[-2000:]


PATHS = [f"/news/{n}.html" for n in range(1, 6)]


def five_articles(site: LocalSite) -> None:
    """The site before: a listing of articles 1-5."""
    site.route("/", listing(PATHS))
    for n in range(1, 6):
        site.route(f"/news/{n}.html", article(n))


def three_more_and_a_correction(site: LocalSite) -> None:
    """The site after: articles 6-8 added, article 2 corrected (the re-crawl stores 4 records)."""
    site.route("/", listing(PATHS + [f"/news/{n}.html" for n in range(6, 9)]))
    for n in range(6, 9):
        site.route(f"/news/{n}.html", article(n))
    site.route("/news/2.html", article(2, extra="<p>Correction: the budget vote moved to Thursday.</p>"))


def export(db: str, name: str, out: Path | None = None) -> list[str]:
    args = ["export", "--db", db, "--changes-since", name, "--fields", "url,title"]
    result = newscrawl(*args, *(["--out", str(out)] if out else []))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8") if out else result.stdout
    return sorted(json.loads(line)["url"].rsplit("/", 1)[1] for line in text.splitlines())


def test_changes_since_exports_exactly_what_is_new_or_changed(db_url: str, tmp_path: Path) -> None:
    with LocalSite() as site:
        five_articles(site)
        crawl(site, db_url)
        assert export(db_url, "hourly") == [f"{n}.html" for n in range(1, 6)]
        assert export(db_url, "hourly") == []  # nothing happened since

        # The site adds 3 articles and corrects one; a re-crawl stores them.
        three_more_and_a_correction(site)
        crawl(site, db_url)

    # An export that cannot be completed leaves the cursor where it was...
    failed = newscrawl("export", "--db", db_url, "--changes-since", "hourly",
                       "--out", str(tmp_path / "no-such-dir" / "x.jsonl"))
    assert failed.returncode != 0 and "cannot write" in failed.stderr
    # ...so the next one still holds exactly the 4 records: 3 new, 1 changed.
    assert export(db_url, "hourly", tmp_path / "new.jsonl") == ["2.html", "6.html", "7.html", "8.html"]
    assert export(db_url, "hourly") == []
    # Another name has its own cursor: everything, once.
    assert len(export(db_url, "nightly")) == 8 and export(db_url, "nightly") == []


def test_a_bad_cursor_name_is_refused(sqlite_url: str) -> None:
    result = newscrawl("export", "--db", sqlite_url, "--changes-since", "my cursor; drop")
    assert result.returncode == 2 and "--changes-since" in result.stderr and "Traceback" not in result.stderr
