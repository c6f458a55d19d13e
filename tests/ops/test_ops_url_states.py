"""Every URL one recorded state, with real crawl processes: pagination is not cut by the
depth limit (a 15-page listing of 30 articles stores all 30), a link cut by the depth limit
or by the per-page link cap is recorded as skipped with the reason, a sitemap start URL and
a file: URL it lists get a state, a redirected or meta-refreshed URL gets "skipped:
redirected to ...", and a redirect to file: is refused, not "HTTP 302"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import connect
from storage.models import Article, UrlState
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def crawl(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast", "-q", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def states(db: str) -> dict[str, tuple[str, str | None]]:
    with Session(connect(db)) as session:
        return {r.url: (r.state, r.reason) for r in session.scalars(select(UrlState))}


def stored(db: str) -> set[str]:
    with Session(connect(db)) as session:
        return set(session.scalars(select(Article.canonical_url)))


def test_fifteen_page_listing_stores_all_thirty(tmp_path: Path) -> None:
    """Depth limit 8 (Scrapy's default here): the articles of listing pages 9 to 15 used to be cut."""
    db = f"sqlite:///{tmp_path / 'pages.db'}"
    with LocalSite() as site:
        pages = ["/"] + [f"/list/{p}" for p in range(2, 16)]
        for number, path in enumerate(pages, start=1):
            nxt = pages[number] if number < len(pages) else None
            site.route(path, listing([f"/news/{2 * number - 1}.html", f"/news/{2 * number}.html"], next_page=nxt))
        for i in range(1, 31):
            site.route(f"/news/{i}.html", article(i, title=f"Paginated story {i} of the listing"))
        result = crawl(tmp_path, db, site.url("/"), "-s", "DEPTH_LIMIT=8")
        expected = {site.url(f"/news/{i}.html") for i in range(1, 31)}
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored(db) == expected


def test_depth_and_link_cap_and_schemes_are_recorded(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cut.db'}"
    with LocalSite() as site:
        # a chain of sections, each of another URL shape (so no pagination): cut after depth 2
        site.route("/", listing(["/section/a", "/many", "/moved", "/old", "/r301"]))
        site.route("/old", '<html><head><meta http-equiv="refresh" content="0; url=/news/new.html"></head></html>')
        site.route("/r301", "", status=301, headers={"Location": "/news/new.html"})
        site.route("/news/new.html", article(99, title="Where the old pages point to now"))
        site.route("/section/a", listing(["/topic/b/c"]))
        site.route("/topic/b/c", listing(["/deep/x/y/z"]))
        site.route("/deep/x/y/z", listing([]))
        # one page with 30 links, at most 10 followed
        site.route("/many", listing([f"/story/{chr(97 + i)}/{i}.html" for i in range(30)]))
        for i in range(30):
            site.route(f"/story/{chr(97 + i)}/{i}.html", article(i))
        site.route("/moved", "", status=302, headers={"Location": "file:///etc/passwd"})
        site.route("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   "<url><loc>file:///etc/hostname</loc></url></urlset>",
                   content_type="application/xml")
        result = crawl(tmp_path, db, site.url("/"), site.url("/sitemap.xml"), "-s", "DEPTH_LIMIT=2",
                       "-s", "NEWSCRAWL_MAX_LINKS_PER_PAGE=10")
        url = site.url
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = states(db)
    assert recorded[url("/deep/x/y/z")][0] == "skipped" and "depth" in (recorded[url("/deep/x/y/z")][1] or "")
    capped = [u for u, (state, reason) in recorded.items()
              if state == "skipped" and "links on one page" in (reason or "")]
    assert len(capped) == 20
    assert len(stored(db)) == 11  # 10 of /many, and /news/new.html
    assert recorded[url("/old")] == ("skipped", f"redirected (meta refresh) to {url('/news/new.html')}")
    assert recorded[url("/r301")] == ("skipped", f"redirected (HTTP 301) to {url('/news/new.html')}")
    assert recorded[url("/news/new.html")][0] == "stored"
    assert recorded[url("/moved")][0] == "skipped" and "file:" in (recorded[url("/moved")][1] or "")
    assert recorded[url("/sitemap.xml")][0] == "rejected"  # the start point itself has a state
    assert recorded["file:///etc/hostname"][0] == "skipped"


def test_profile_listing_pages_get_a_state(tmp_path: Path) -> None:
    """With a profile's article and listing rules, the start page and every listing page the
    listing rule matched are fetched and end `rejected` with the reason, like any other page
    that is not an article (they used to end with no state at all)."""
    db = f"sqlite:///{tmp_path / 'profile.db'}"
    with LocalSite() as site:
        site.route("/", listing(["/list/1", "/list/2"]))
        site.route("/list/1", listing(["/news/1.html", "/news/2.html"], next_page="/list/2"))
        site.route("/list/2", listing(["/news/3.html"]))
        for i in range(1, 4):
            site.route(f"/news/{i}.html", article(i, title=f"Profile rule story {i} of the listing"))
        profile = tmp_path / "rules.toml"
        profile.write_text(f'name = "rules"\nallowed_domains = ["127.0.0.1"]\nstart_urls = ["{site.url("/")}"]\n'
                           "[rules]\narticle = ['/news/\\d+\\.html$']\nlisting = ['/list/\\d+$']\n",
                           encoding="utf-8")
        result = crawl(tmp_path, db, str(profile))
        url = site.url
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = states(db)
    assert stored(db) == {url(f"/news/{i}.html") for i in range(1, 4)}
    for page in ("/", "/list/1", "/list/2"):
        state, reason = recorded.get(url(page), (None, None))
        assert state == "rejected" and "listing" in (reason or ""), (page, state, reason)
