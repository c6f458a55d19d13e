"""Takedowns through real re-crawls of a local site, on both backends: a stored article that
starts answering 410 (or 404) is marked removed, leaves the default list, export and search,
stays in the database with its versions, and the Atom feed carries its RFC 6721 deleted
entry; when it answers again it is back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from storage.db import connect
from storage.repository import Repository
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"


def crawl(site: LocalSite, db: str) -> None:
    result = newscrawl("crawl", site.url("/"), "--db", db, "--preset", "fast", "--site", "takedown-test",
                       "--log-level", "WARNING", "-s", "NEWSCRAWL_INCREMENTAL=False")
    assert "crawl finished" in result.stderr, result.stderr[-2000:]


def exported(db: str, *args: str) -> list[str]:
    result = newscrawl("export", "--db", db, "--format", "jsonl", *args)
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(line)["url"].rsplit("/", 1)[1] for line in result.stdout.splitlines())


def test_a_taken_down_article_is_marked_removed_and_leaves_the_exports(db_url: str) -> None:
    with LocalSite() as site:
        site.route("/", listing([f"/news/{n}.html" for n in range(1, 4)]))
        for n in range(1, 4):
            site.route(f"/news/{n}.html", article(n))
        crawl(site, db_url)
        assert exported(db_url) == ["1.html", "2.html", "3.html"]

        site.route("/news/2.html", "gone", status=410)  # the publisher withdrew it
        crawl(site, db_url)
        gone = Repository(connect(db_url)).get(site.url("/news/2.html"))
        assert gone is not None and gone.removed_at, "kept, and marked removed"
        assert exported(db_url) == ["1.html", "3.html"]
        assert exported(db_url, "--include-removed") == ["1.html", "2.html", "3.html"]
        listed = newscrawl("list", "--db", db_url, "--json")
        assert "/news/2.html" not in listed.stdout and "/news/1.html" in listed.stdout
        atom = ET.fromstring(newscrawl("export", "--db", db_url, "--format", "atom").stdout)
        tombstones = [e.get("ref") for e in atom.iter(TOMBSTONE)]
        assert tombstones == [site.url("/news/2.html")]
        entries = [e.findtext("{http://www.w3.org/2005/Atom}id") for e in atom.iter("{http://www.w3.org/2005/Atom}entry")]
        assert site.url("/news/2.html") not in entries and len(entries) == 2

        site.route("/news/2.html", article(2))  # back online
        crawl(site, db_url)
    assert Repository(connect(db_url)).get(site.url("/news/2.html")).removed_at is None
    assert exported(db_url) == ["1.html", "2.html", "3.html"]


def test_404_and_410_mark_removed_other_failures_do_not(sqlite_url: str, seed) -> None:
    from dataclasses import replace

    from storage.outcomes import Failed

    repo = Repository(connect(sqlite_url))
    urls = [f"http://zixun.example.com/post/{n}.html" for n in range(1, 5)]
    repo.store_batch([replace(seed, url=u, canonical_url=u, body_text=f"{seed.body_text}\n{u}", content_hash=None)
                      for u in urls])
    repo.store_batch([Failed(urls[0], "HTTP 404", status=404), Failed(urls[1], "HTTP 410", status=410),
                      Failed(urls[2], "HTTP 503", status=503), Failed(urls[3], "TimeoutError")])
    assert [bool(repo.get(u).removed_at) for u in urls] == [True, True, False, False]
