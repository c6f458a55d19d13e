"""Discovery against real HTTP servers on 127.0.0.1: sitemap index with gzip children, news
sitemap, Atom, JSON Feed, paginated listings with a trap, robots.txt rules (5xx = disallow,
Crawl-delay), explicit URLs, incremental re-crawls and overlapping runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spiders.discovery import kind_of, parse_feed, parse_json_feed, parse_sitemap, url_template
from storage.db import connect
from storage.report import Selection
from storage.repository import Repository
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def crawl(db: str, *args: str, timeout: int = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--profile", "fast",
                           "--log-level", "WARNING", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})})


def stored_paths(db: str) -> set[str]:
    repo = Repository(connect(db))
    return {"/" + r.url.split("/", 3)[3] for r in repo.iter_records(Selection(duplicates="include"))}


def article_hits(site: LocalSite) -> set[str]:
    return {p for p in site.hits() if p.startswith("/news/")}


# --- document readers ----------------------------------------------------------------------------

def test_sitemap_reader_takes_the_newest_of_lastmod_and_news_date() -> None:
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://a.example/1</loc>
      <lastmod>2024-01-01</lastmod><news:news><news:publication_date>2024-02-03T10:00:00+08:00</news:publication_date>
      </news:news></url><url><loc>http://a.example/2</loc></url></urlset>"""
    entries = parse_sitemap(body)
    assert [e.url for e in entries] == ["http://a.example/1", "http://a.example/2"]
    assert entries[0].date.isoformat() == "2024-02-03T02:00:00" and entries[1].date is None


def test_entity_bomb_is_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
      <rss><channel><item><title>&lol4;</title><link>http://a.example/x</link></item></channel></rss>"""
    started = time.monotonic()
    assert [e.url for e in parse_feed(bomb)] == ["http://a.example/x"]
    assert time.monotonic() - started < 1


def test_feed_kinds() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="http://a.example/a"/>
      <updated>2024-03-01T00:00:00Z</updated></entry></feed>"""
    assert kind_of(atom) == "feed" and parse_feed(atom)[0].url == "http://a.example/a"
    jf = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "1", "url": "http://a.example/j", "date_published": "2024-03-02T00:00:00Z"}]}).encode()
    assert kind_of(jf) == "jsonfeed" and parse_json_feed(jf)[0].url == "http://a.example/j"
    assert url_template("http://a.example/list?page=17") == "http://a.example/list?page=#"


# --- crawls ----------------------------------------------------------------------------------------

def _sitemap_site(site: LocalSite) -> None:
    site.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.route("/sitemap.xml", """<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>__BASE__/sitemap-1.xml.gz</loc></sitemap><sitemap><loc>__BASE__/news-sitemap.xml</loc></sitemap>
      </sitemapindex>""", content_type="application/xml")
    site.gzip_route("/sitemap-1.xml.gz", """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>__BASE__/news/1.html</loc><lastmod>2024-05-01</lastmod></url>
      <url><loc>__BASE__/news/2.html</loc><lastmod>2024-05-02</lastmod></url>
      <url><loc>__BASE__/private/9.html</loc></url></urlset>""")
    site.route("/news-sitemap.xml", """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>__BASE__/news/3.html</loc>
      <news:news><news:publication_date>2024-05-03T08:00:00Z</news:publication_date></news:news></url></urlset>""",
               content_type="application/xml")
    for n in (1, 2, 3):
        site.route(f"/news/{n}.html", article(n, date=f"2024-05-0{n}T09:00:00+00:00"), etag=f'"v1-{n}"')
    site.route("/private/9.html", article(9))


def test_sitemap_index_gzip_child_news_sitemap_and_robots(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    with LocalSite() as site:
        _sitemap_site(site)
        result = crawl(db, site.url("/sitemap.xml"))
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/1.html", "/news/2.html", "/news/3.html"}
    assert "/private/9.html" not in hits  # robots.txt Disallow


def test_second_run_fetches_only_new_or_changed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'i.db'}"
    with LocalSite() as site:
        _sitemap_site(site)
        first = crawl(db, site.url("/sitemap.xml"))
        assert first.returncode == 0, first.stderr[-1500:]
        assert article_hits(site) == {"/news/1.html", "/news/2.html", "/news/3.html"}
        # Run 2: story 2 is listed as modified (and really changed), story 1 is listed as modified
        # but its ETag is the same (the server answers 304), story 4 is new, story 3 is untouched.
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
        site.gzip_route("/sitemap-1.xml.gz", f"""<?xml version="1.0"?><urlset
          xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>__BASE__/news/1.html</loc><lastmod>{later}</lastmod></url>
          <url><loc>__BASE__/news/2.html</loc><lastmod>{later}</lastmod></url>
          <url><loc>__BASE__/news/4.html</loc><lastmod>2024-05-04</lastmod></url></urlset>""")
        site.route("/news/2.html", article(2, extra="<p>Update: the council delayed the vote by a week.</p>"),
                   etag='"v2-2"')
        site.route("/news/4.html", article(4))
        site.clear()
        second = crawl(db, site.url("/sitemap.xml"))
        log = list(site.log)
    assert second.returncode == 0, second.stderr[-1500:]
    fetched = [p for p, _, _ in log if p.startswith("/news/")]
    assert sorted(fetched) == ["/news/1.html", "/news/2.html", "/news/4.html"]
    conditional = {p: h.get("If-None-Match") for p, _, h in log if p.startswith("/news/")}
    assert conditional["/news/1.html"] == '"v1-1"' and conditional["/news/4.html"] is None
    repo = Repository(connect(db))
    edited = repo.get(site.url("/news/2.html"))
    assert "delayed the vote" in edited.body_text
    runs = repo.stats()["runs"]
    assert len(runs) == 2 and runs[0]["new"] == 1 and runs[0]["updated"] == 1


def test_atom_and_json_feeds(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'f.db'}"
    with LocalSite() as site:
        site.route("/atom.xml", """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
          <entry><title>a</title><link href="__BASE__/news/1.html"/><updated>2024-05-01T00:00:00Z</updated></entry>
          <entry><title>b</title><link rel="alternate" href="__BASE__/news/2.html"/></entry></feed>""",
                   content_type="application/atom+xml")
        site.route("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
            {"id": "3", "url": "__BASE__/news/3.html", "date_published": "2024-05-03T00:00:00Z"}]}),
                   content_type="application/feed+json")
        for n in (1, 2, 3):
            site.route(f"/news/{n}.html", article(n))
        result = crawl(db, site.url("/atom.xml"), site.url("/feed.json"))
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/1.html", "/news/2.html", "/news/3.html"}


def test_paginated_listing_with_a_trap_is_cut_off(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    profile = tmp_path / "trap.toml"
    with LocalSite() as site:
        site.route("/", listing(["/news/1.html", "/news/2.html"], "/list?page=2"))
        site.route("/list?page=2", listing(["/news/3.html"], "/list?page=3"))
        # From page 3 on, every page links to the next one forever: a pagination trap.
        for page in range(3, 200):
            site.route(f"/list?page={page}", listing([], f"/list?page={page + 1}"))
        for n in (1, 2, 3):
            site.route(f"/news/{n}.html", article(n))
        profile.write_text(f'name = "trap"\nstart_urls = ["{site.base}/"]\n[rules]\n'
                           "article = ['/news/\\d+\\.html$']\nlisting = ['/list\\?page=\\d+$']\n"
                           "max_listing_pages = 10\nmax_depth = 50\n", encoding="utf-8")
        result = crawl(db, str(profile))
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/1.html", "/news/2.html", "/news/3.html"}
    listing_fetches = [p for p in hits if p.startswith("/list")]
    assert 2 <= len(listing_fetches) <= 12


def test_generic_crawl_stops_a_calendar_trap_without_rules(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    with LocalSite() as site:
        site.route("/", listing(["/news/1.html", "/calendar/2024/1"]))
        for day in range(1, 400):
            site.route(f"/calendar/2024/{day}", listing([], f"/calendar/2024/{day + 1}"))
        site.route("/news/1.html", article(1))
        result = crawl(db, site.url("/"), env={})
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/1.html"}
    assert len([p for p in hits if p.startswith("/calendar")]) <= 60


def test_robots_5xx_disallows_the_host(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    with LocalSite() as site:
        site.route("/robots.txt", "unavailable", status=503, content_type="text/plain")
        site.route("/", listing(["/news/1.html"]))
        site.route("/news/1.html", article(1))
        crawl(db, site.url("/"))
        hits = site.hits()
    assert set(hits) == {"/robots.txt"}
    assert stored_paths(db) == set()


def test_crawl_delay_is_honoured(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    with LocalSite() as site:
        site.route("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
        site.route("/", listing(["/news/1.html", "/news/2.html"]))
        for n in (1, 2):
            site.route(f"/news/{n}.html", article(n))
        result = crawl(db, site.url("/"))
        times = [t for p, t, _ in site.log if p != "/robots.txt"]
    assert result.returncode == 0, result.stderr[-1500:]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 3 and min(gaps) >= 0.9, gaps


def test_explicit_urls_and_urls_file(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    with LocalSite() as site:
        for n in (1, 2, 3):
            site.route(f"/news/{n}.html", article(n, extra='<a href="/news/9.html">more</a>'))
        urls_file = tmp_path / "urls.txt"
        urls_file.write_text(f"# comment\n{site.url('/news/2.html')}\n\n{site.url('/news/3.html')}\n", encoding="utf-8")
        result = crawl(db, "--url", site.url("/news/1.html"), "--urls-file", str(urls_file))
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/1.html", "/news/2.html", "/news/3.html"}
    assert "/news/9.html" not in hits


def test_since_skips_older_sitemap_entries(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'since.db'}"
    with LocalSite() as site:
        _sitemap_site(site)
        result = crawl(db, site.url("/sitemap.xml"), "--since", "2024-05-02")
    assert result.returncode == 0, result.stderr[-1500:]
    assert stored_paths(db) == {"/news/2.html", "/news/3.html"}


def test_overlapping_runs_second_exits_at_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'o.db'}"
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks")}
    with LocalSite() as site:
        site.route("/", listing([f"/news/{n}.html" for n in range(1, 6)]))
        # Slow enough that the first crawl is still running however long the second takes to
        # start on a loaded machine (process start-up alone can take seconds there).
        for n in range(1, 6):
            site.route(f"/news/{n}.html", article(n), delay=6.0)
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--site", "slow", "--log-level", "WARNING",
               "--profile", "fast", site.url("/")]
        first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not any(p.startswith("/news/") for p in site.hits()) and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            elapsed = time.monotonic() - started
        finally:
            out, err = first.communicate(timeout=120)
    assert second.returncode == 75
    assert "another crawl of 'slow' is running" in second.stderr
    assert elapsed < 15
    assert first.returncode == 0, err[-1500:]
    runs = subprocess.run([sys.executable, "-m", "crawler.cli", "runs", "--db", db, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    rows = [json.loads(line) for line in runs.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["status"] == "finished" and rows[0]["items_new"] == 5
