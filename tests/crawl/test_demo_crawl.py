"""End to end: a real Scrapy crawl of the bundled demo site served on 127.0.0.1, into a
real SQLite file, checked against the site's manifest; then ``newscrawl demo`` itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.demo import load_manifest
from storage.db import connect
from storage.report import Selection
from storage.repository import Repository
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import demo_site

pytestmark = pytest.mark.e2e


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    db = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    with demo_site() as server:
        first = newscrawl("crawl", server.base_url + "/", "--db", db, "--preset", "fast", "--site", "demo",
                          "--log-level", "WARNING")
        first_hits = dict(server.hits)
        server.hits.clear()
        second = newscrawl("crawl", server.base_url + "/", "--db", db, "--preset", "fast", "--site", "demo",
                           "--log-level", "WARNING")
        second_hits = dict(server.hits)
    return db, first, second, first_hits, second_hits


def test_crawl_exits_zero_and_reports(crawled) -> None:
    _, first, *_ = crawled
    assert first.returncode == 0, first.stderr[-2000:]
    assert "crawl finished" in first.stderr


def test_every_manifest_article_stored_once(crawled) -> None:
    db, *_ = crawled
    manifest = load_manifest()
    repo = Repository(connect(db))
    everything = list(repo.iter_records(Selection(duplicates="include")))
    by_path = {_path(r.url): r for r in everything}
    originals = [a for a in manifest["articles"] if not a["duplicate_of"]]
    copies = [a for a in manifest["articles"] if a["duplicate_of"]]
    assert set(by_path) == {a["path"] for a in manifest["articles"]}
    for article in manifest["articles"]:
        record = by_path[article["path"]]
        assert record.title == article["title"], article["path"]
        assert record.published_at == article["published_at"], article["path"]
        assert record.site == "demo"
    # The republished copy and its original: one of them points at the other.
    for copy in copies:
        a, b = by_path[copy["path"]], by_path[copy["duplicate_of"]]
        assert {a.duplicate_of, b.duplicate_of} in ({None, a.id}, {None, b.id})
    exported = list(repo.iter_records())
    assert len(exported) == len(originals)


def test_non_articles_are_rejected_not_stored(crawled) -> None:
    db, *_ = crawled
    manifest = load_manifest()
    repo = Repository(connect(db))
    stored = {_path(r.url) for r in repo.iter_records(Selection(duplicates="include"))}
    for path in manifest["not_articles"] + manifest.get("listings", []):
        assert path not in stored, path
    assert repo.stats()["rejects"] > 0


def test_second_run_fetches_no_stored_article_again(crawled) -> None:
    db, _, second, first_hits, second_hits = crawled
    assert second.returncode == 0, second.stderr[-2000:]
    assert " 0 new," in second.stderr
    articles = {a["path"] for a in load_manifest()["articles"]}
    assert articles <= set(first_hits)
    assert not articles & set(second_hits), sorted(articles & set(second_hits))
    assert "/" in second_hits  # listing pages are still read, to find new articles
    runs = Repository(connect(db)).stats()["runs"]
    assert len(runs) == 2 and runs[0]["new"] == 0 and runs[0]["pages"] < runs[1]["pages"]
    # Every stored article counts once as unchanged, however many pages link to it.
    assert runs[0]["unchanged"] == len(load_manifest()["articles"])


def test_export_json_after_crawl(crawled) -> None:
    db, *_ = crawled
    result = newscrawl("export", "--format", "json", "--db", db)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert len(data) == len([a for a in load_manifest()["articles"] if not a["duplicate_of"]])


def test_demo_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = newscrawl("demo", "--db", db)
    assert result.returncode == 0, result.stderr[-2000:]
    originals = len([a for a in load_manifest()["articles"] if not a["duplicate_of"]])
    assert f"{originals} demo articles stored in {db}" in result.stdout
