"""End to end: real crawls (``newscrawl crawl`` subprocesses) of a local site whose articles are
split over several pages, into SQLite.

The site: a DedeCMS-style Chinese article (1001.html, 1001_2.html, 1001_3.html, 上一页 1 2 3
下一页), an English article paged by ``?page=2`` with rel="next", two WordPress-style posts
whose rel="next" names the next post, a paged listing (list_2.html), an article whose pages
only a sitemap lists (page 3 and 2 before page 1), a 35-page article (past the 30-page cap),
and a 3-page article whose page 2 answers 404. Expected: one record per article with every
page's text in order and page_count, the posts stored apart, a recorded state and no record
for every continuation page, the cap and the failed page reported; ``parse --pages`` and
``reparse`` of the kept pages give the stored record; a re-crawl where page 2 changed is a
new version and an unchanged one is "unchanged".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import multipage as mp
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite

pytestmark = pytest.mark.e2e

EN = "/2025/04/river-bridge-rebuild"
FIRST_POST, SECOND_POST = "/2025/05/01/first-post/", "/2025/05/02/second-post/"


def zh_path(article_id: int, n: int) -> str:
    return f"/news/{article_id}.html" if n == 1 else f"/news/{article_id}_{n}.html"


def serve_zh(site: LocalSite, article_id: int, pages: int) -> None:
    for n in range(1, pages + 1):
        site.route(zh_path(article_id, n), mp.zh_page(site.base, article_id, n, pages))


def sitemap(site: LocalSite, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{site.url(p)}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def records(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT url, canonical_url, body_text, page_count, version, content_hash FROM articles")
        return {row["url"].split("/", 3)[3]: dict(row) for row in rows}


def states(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return {url.split("/", 3)[3]: (state, reason) for url, state, reason in
                conn.execute("SELECT url, state, reason FROM url_state")}


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        serve_zh(s, 1001, 3)
        serve_zh(s, 2002, 3)
        serve_zh(s, 3003, 35)
        serve_zh(s, 4004, 3)
        s.route(zh_path(4004, 2), "gone", status=404)
        for n in (1, 2):
            s.route(EN if n == 1 else f"{EN}?page=2", mp.en_page(s.base, n))
        s.route(FIRST_POST, mp.wp_post(FIRST_POST, SECOND_POST))
        s.route(SECOND_POST, mp.wp_post(SECOND_POST, None))
        links = [zh_path(1001, 1), EN, FIRST_POST, zh_path(3003, 1), zh_path(4004, 1)]
        for n in (1, 2):
            s.route("/news/list.html" if n == 1 else "/news/list_2.html", mp.listing_page(n, 2, links))
        s.route("/", '<html><body><a href="/news/list.html">新闻</a></body></html>')
        s.route("/sitemap.xml", sitemap(s, [zh_path(2002, 3), zh_path(2002, 2), zh_path(2002, 1)]),
                content_type="application/xml")
        yield s


@pytest.fixture(scope="module")
def crawl(site: LocalSite, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("multipage") / "crawl.db"
    run = newscrawl("crawl", site.url("/"), site.url("/sitemap.xml"), "--db", f"sqlite:///{db}", "--preset", "fast",
                    "--keep-raw", "--log-level", "INFO")  # INFO: Scrapy prints its stats at the end
    return {"db": db, "run": run, "hits": site.hits()}


def test_dedecms_article_is_one_record_with_every_page_in_order(crawl: dict) -> None:
    assert crawl["run"].returncode == 0, crawl["run"].stderr[-3000:]
    stored = records(crawl["db"])["news/1001.html"]
    text = stored["body_text"]
    firsts = [mp.ZH_PARAGRAPHS[n][0] for n in range(3)]
    assert all(p in text for p in firsts)
    assert text.index(firsts[0]) < text.index(firsts[1]) < text.index(firsts[2])
    assert stored["page_count"] == 3
    assert "下一页" not in text and "上一页" not in text


def test_english_page_query_article_is_one_record(crawl: dict) -> None:
    stored = records(crawl["db"])[EN.lstrip("/")]
    assert stored["page_count"] == 2
    assert stored["body_text"].index(mp.EN_PARAGRAPHS[0][0]) < stored["body_text"].index(mp.EN_PARAGRAPHS[1][0])


def test_continuation_pages_have_a_state_and_no_record(crawl: dict, site: LocalSite) -> None:
    stored, known = records(crawl["db"]), states(crawl["db"])
    for path, first in ((zh_path(1001, 2), zh_path(1001, 1)), (zh_path(1001, 3), zh_path(1001, 1)),
                        (f"{EN}?page=2", EN)):
        assert path.lstrip("/") not in stored
        state, reason = known[path.lstrip("/")]
        assert state == "skipped" and reason.startswith("page ") and reason.endswith(site.url(first)), (path, reason)


def test_next_post_links_never_merge_two_posts(crawl: dict) -> None:
    stored = records(crawl["db"])
    first, second = stored[FIRST_POST.lstrip("/")], stored[SECOND_POST.lstrip("/")]
    assert first["page_count"] is None and second["page_count"] is None
    assert mp.WP_POSTS[SECOND_POST][1][0] not in first["body_text"]


def test_listing_pages_are_not_merged(crawl: dict) -> None:
    known = states(crawl["db"])
    assert known["news/list.html"][0] == "rejected" and known["news/list_2.html"][0] == "rejected"


def test_sitemap_listing_continuation_pages_first_still_gives_one_record(crawl: dict, site: LocalSite) -> None:
    stored, known = records(crawl["db"]), states(crawl["db"])
    assert [k for k in stored if k.startswith("news/2002")] == ["news/2002.html"]
    assert stored["news/2002.html"]["page_count"] == 3
    for n in (2, 3):
        assert known[f"news/2002_{n}.html"] == ("skipped", f"page {n} of {site.url(zh_path(2002, 1))}")


def test_page_cap_is_reported_and_the_record_kept(crawl: dict, site: LocalSite) -> None:
    stored, known = records(crawl["db"]), states(crawl["db"])
    assert stored["news/3003.html"]["page_count"] == 30
    assert "第30页" in stored["news/3003.html"]["body_text"] and "第31页" not in stored["news/3003.html"]["body_text"]
    assert "has 35 pages: merged the first 30" in crawl["run"].stderr
    assert "NEWSCRAWL_MAX_ARTICLE_PAGES" in known["news/3003_31.html"][1]
    assert crawl["hits"][zh_path(3003, 31)] == 0
    assert "'newscrawl/article_pages_capped': 1," in crawl["run"].stderr


def test_a_page_that_fails_is_said_and_the_rest_stored(crawl: dict) -> None:
    stored, known = records(crawl["db"]), states(crawl["db"])
    assert stored["news/4004.html"]["page_count"] == 2  # pages 1 and 3
    assert mp.ZH_PARAGRAPHS[2][0] in stored["news/4004.html"]["body_text"]
    assert known["news/4004_2.html"][0] == "failed" and "404" in known["news/4004_2.html"][1]
    assert "4004_2.html could not be fetched" in crawl["run"].stderr
    assert "'newscrawl/article_page_failed': 1," in crawl["run"].stderr


def test_parse_pages_and_reparse_give_the_stored_record(crawl: dict, site: LocalSite, tmp_path: Path) -> None:
    files = []
    for n in (1, 2, 3):
        path = tmp_path / f"p{n}.html"
        path.write_text(mp.zh_page(site.base, 1001, n, 3), encoding="utf-8")
        files.append(str(path))
    parsed = newscrawl("parse", "--pages", "--url", site.url(zh_path(1001, 1)), *files)
    assert parsed.returncode == 0, parsed.stderr
    line = json.loads(parsed.stdout)
    stored = records(crawl["db"])["news/1001.html"]
    assert (line["body_text"], line["page_count"], line["content_hash"]) == \
        (stored["body_text"], stored["page_count"], stored["content_hash"])
    alone = json.loads(newscrawl("parse", "--url", site.url(zh_path(1001, 1)), files[0]).stdout)
    assert alone["page_count"] is None and mp.ZH_PARAGRAPHS[1][0] not in alone["body_text"]
    # reparse merges the kept pages again: the same text, so nothing changes
    with sqlite3.connect(crawl["db"]) as conn:
        assert conn.execute("SELECT count(*) FROM raw_page_parts").fetchone()[0] >= 2 + 1 + 2 + 29 + 1
    again = newscrawl("reparse", "--db", f"sqlite:///{crawl['db']}")
    assert again.returncode == 0, again.stderr
    assert "0 updated" in again.stderr and "0 rejected" in again.stderr, again.stderr
    assert records(crawl["db"])["news/1001.html"] == stored


def test_recrawl_page_two_changed_is_a_new_version(crawl: dict, site: LocalSite) -> None:
    db = f"sqlite:///{crawl['db']}"
    site.route(zh_path(1001, 2), mp.zh_page(site.base, 1001, 2, 3, paragraphs=[
        *mp.ZH_PARAGRAPHS[1], "更正：第二阶段工程开工时间调整为明年夏季，具体安排以指挥部公告为准。"]))
    run = newscrawl("crawl", "--url", site.url(zh_path(1001, 1)), "--url", site.url(EN), "--db", db,
                    "--preset", "fast", "--log-level", "WARNING")
    assert run.returncode == 0, run.stderr[-3000:]
    stored = records(crawl["db"])
    assert stored["news/1001.html"]["version"] == 2 and "更正" in stored["news/1001.html"]["body_text"]
    assert stored[EN.lstrip("/")]["version"] == 1  # unchanged: only last_seen moved
