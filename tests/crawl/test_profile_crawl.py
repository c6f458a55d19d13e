"""Site profiles through a real crawl of a local site: every ``[selectors]`` key, the
boilerplate patterns, ``rules.article_selector`` and ``rules.min_body_chars`` change the
stored record field by field (the generic parse of the same page gives another value); a
selector that matches nothing leaves the generic value and is counted in ``newscrawl stats``
and the crawl's summary. And a site root's robots.txt ``Sitemap:`` lines are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.parsing import judge_article
from storage.db import connect
from storage.report import Selection
from storage.repository import Repository
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing
from tests.parsing.profile_pages import PROFILE_TOML, SHARE_LINE, expected, profile_article, short_article, shown

pytestmark = pytest.mark.e2e


def _records(db: str) -> dict[str, dict[str, object]]:
    repo = Repository(connect(db))
    return {"/" + r.url.split("/", 3)[3]: r.to_dict() for r in repo.iter_records(Selection(duplicates="include"))}


def _site(site: LocalSite) -> None:
    site.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    site.route("/", listing(["/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html", "/short.html"]))
    for n in (1, 2, 3):
        site.route(f"/news/{n}.html", profile_article(n))
    site.route("/news/4.html", profile_article(4, byline=False))  # the authors selector matches nothing
    site.route("/short.html", short_article())


def test_a_profile_changes_the_stored_record_key_by_key(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    with LocalSite() as site:
        _site(site)
        profile = tmp_path / "pinned.toml"
        profile.write_text(PROFILE_TOML.format(base=site.base), encoding="utf-8")
        result = newscrawl("crawl", "--db", db, "--preset", "fast", "--log-level", "WARNING", str(profile),
                           timeout=180)
        generic = {n: judge_article(profile_article(n), site.url(f"/news/{n}.html")).record.to_dict()
                   for n in (1, 2, 3)}
    assert result.returncode == 0, result.stderr[-2000:]
    stored = _records(db)
    assert set(stored) == {"/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html", "/short.html"}
    for n in (1, 2, 3):
        record = stored[f"/news/{n}.html"]
        for field, want in expected(n, site.base).items():
            assert shown(generic[n], field) != want, f"generic {field} already {want!r}"
            assert shown(record, field) == want, field
        body = str(record["body_text"])
        assert body.startswith("Pinned body paragraph one") and "city council" not in body  # selectors.body
        assert SHARE_LINE not in body  # [boilerplate] patterns
        assert record["site"] == "pinned"
    # the authors selector matched nothing on 4: the generic byline stands, the rest is pinned
    assert stored["/news/4.html"]["authors"] == ["Meta Person"]
    assert stored["/news/4.html"]["title"] == "Pinned headline number 4"
    # rules.min_body_chars: a body shorter than the default minimum is stored for this site
    assert "The library opens late on Monday because of a staff meeting." in str(stored["/short.html"]["body_text"])
    # the crawl's summary says which selectors missed, and the run record keeps it
    assert "selector for authors matched 3 of 5 pages" in result.stderr
    stats = newscrawl("stats", "--db", db)
    assert stats.returncode == 0, stats.stderr
    assert "selector for authors matched 3 of 5 pages" in stats.stdout
    assert "selector for title matched 4 of 5 pages" in stats.stdout
    run = json.loads(newscrawl("stats", "--db", db, "--json").stdout)["runs"][0]
    assert run["selectors"]["category"] == {"pages": 5, "matched": 4}


def test_without_the_profile_the_same_site_gives_the_generic_records(tmp_path: Path) -> None:
    """The control: the same pages crawled without the profile keep the generic values (and
    the short page and the article_selector play no part)."""
    db = f"sqlite:///{tmp_path / 'g.db'}"
    with LocalSite() as site:
        _site(site)
        result = newscrawl("crawl", "--db", db, "--preset", "fast", "--log-level", "WARNING", site.url("/"),
                           timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    stored = _records(db)
    assert "/short.html" not in stored  # too short without rules.min_body_chars
    assert stored["/news/1.html"]["title"] == "Generic title 1"
    assert stored["/news/1.html"]["authors"] == ["Meta Person"]
    assert "selector for" not in result.stderr


def test_a_site_root_crawl_reads_the_sitemaps_robots_txt_names(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    with LocalSite() as site:
        site.route("/robots.txt", "User-agent: *\nDisallow: /private/\n\nSitemap: __BASE__/hidden/map.xml\n",
                   content_type="text/plain")
        site.route("/", listing(["/news/1.html"]))
        site.route("/hidden/map.xml", """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>__BASE__/news/2.html</loc></url><url><loc>__BASE__/news/3.html</loc></url></urlset>""",
                   content_type="application/xml")
        for n in (1, 2, 3):
            site.route(f"/news/{n}.html", article(n))
        result = newscrawl("crawl", "--db", db, "--preset", "fast", "--log-level", "WARNING", site.url("/"),
                           timeout=180)
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-2000:]
    assert hits["/hidden/map.xml"] == 1
    assert set(_records(db)) == {"/news/1.html", "/news/2.html", "/news/3.html"}  # 2 and 3: only in that sitemap
