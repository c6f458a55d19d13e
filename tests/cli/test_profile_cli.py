"""The profile commands as a user runs them: ``parse --explain`` and ``profiles test`` show
each field's source (and the selector winning once a profile pins it); ``profiles new`` finds
the sitemap robots.txt names, proposes no URL that does not answer, and learns selectors on
three pages that give the right fields on five others."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crawler.parsing import judge_article
from crawler.profiles import load_profile_file
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article
from tests.parsing.profile_pages import PROFILE_TOML, profile_article

pytestmark = pytest.mark.e2e
URL = "http://news.test/news/1.html"


def test_parse_explain_names_each_fields_source(tmp_path: Path) -> None:
    page = tmp_path / "1.html"
    page.write_text(profile_article(1), encoding="utf-8")
    plain = newscrawl("parse", "--url", URL, str(page))
    assert plain.returncode == 0 and "explain" not in json.loads(plain.stdout)  # only when asked
    line = json.loads(newscrawl("parse", "--explain", "--url", URL, str(page)).stdout)
    assert line["explain"]["title"] == "meta og:title" and line["explain"]["authors"] == "meta tag"
    assert line["explain"]["published_at"] == "meta tag" and line["explain"]["source"] == "-"
    profile = tmp_path / "pinned.toml"
    profile.write_text(PROFILE_TOML.format(base="http://news.test"), encoding="utf-8")
    line = json.loads(newscrawl("parse", "--explain", "--profile", str(profile), "--url", URL, str(page)).stdout)
    assert line["authors"] == ["Carla Pinned", "Dan Pinned"] and line["explain"]["authors"] == "profile selector"


def test_profiles_test_shows_the_selector_winning_and_the_misses(tmp_path: Path) -> None:
    profile = tmp_path / "pinned.toml"
    profile.write_text(PROFILE_TOML.format(base="http://news.test"), encoding="utf-8")
    (tmp_path / "1.html").write_text(profile_article(1), encoding="utf-8")
    (tmp_path / "2.html").write_text(profile_article(2, byline=False), encoding="utf-8")
    result = newscrawl("profiles", "test", str(profile), str(tmp_path / "1.html"), str(tmp_path / "2.html"),
                       "--url", URL)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split(str(tmp_path / "2.html"))
    assert re.search(r"authors\s+\[\"Carla Pinned\", \"Dan Pinned\"\]\s+<- profile selector", first)
    assert re.search(r"published_at\s+2023-11-20T08:15:00\+09:00\s+<- profile selector", first)
    assert re.search(r"authors\s+\[\"Meta Person\"\]\s+<- meta tag", second)
    assert "selectors that matched nothing: authors" in second


def _learning_site(site: LocalSite) -> None:
    site.route("/robots.txt", "User-agent: *\nSitemap: __BASE__/maps/news.xml\nSitemap: __BASE__/maps/gone.xml\n",
               content_type="text/plain")
    urls = "".join(f"<url><loc>__BASE__/news/{n}.html</loc></url>" for n in range(1, 10))
    site.route("/maps/news.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f"{urls}</urlset>", content_type="application/xml")
    for n in range(1, 10):
        site.route(f"/news/{n}.html", article(n, date=f"2024-05-0{n}T09:00:00+02:00").replace(
            "</head>", '<link rel="alternate" type="application/rss+xml" href="/gone.rss"></head>'))


def test_profiles_new_learns_from_the_sites_sitemap(tmp_path: Path) -> None:
    with LocalSite() as site:
        _learning_site(site)
        result = newscrawl("profiles", "new", site.url("/news/1.html"), "--name", "learned", "--timeout", "5",
                           timeout=120)
        hits = site.hits()
        pages = {n: site.url(f"/news/{n}.html") for n in range(1, 10)}
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert hits["/robots.txt"] >= 1 and hits["/maps/news.xml"] >= 1
    assert f'sitemaps = ["{pages[1].rsplit("/news", 1)[0]}/maps/news.xml"]' in text
    assert "gone" not in text and "/sitemap.xml" not in text  # only what answered is proposed
    assert "could not pin summary" in result.stderr  # the fields it could not pin, and why
    path = tmp_path / "learned.toml"
    path.write_text(text, encoding="utf-8")
    profile = load_profile_file(path)
    assert {"title", "body", "authors"} <= set(profile.selectors)
    assert text.count("agrees with the generic value on 5 of 5 other pages") >= 3
    # learned on three pages (1-3), right on five others (4-8): the pinned values are the page's
    options = profile.parse_options()
    for n in range(4, 9):
        html = article(n, date=f"2024-05-0{n}T09:00:00+02:00")
        verdict = judge_article(html, pages[n], options)
        assert {"title", "body", "authors"} <= {k for k, v in verdict.explain.items() if v == "profile selector"}
        assert verdict.record.title == f"Council story number {n} about the city budget"
        assert verdict.record.authors == ["Ann Writer"]
        assert verdict.record.body_text.count(f"(Story {n}.)") == 4
