"""``newscrawl browse``: Datasette really started on 127.0.0.1 over a SQLite store, its pages
fetched (facets, a 2-character Chinese search, the canned search and read queries, a row),
then stopped; and the one-line errors when it cannot run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import ROOT
from tests.helpers.localserver import free_port, wait_until_serving
from tests.storage.test_search import make_store

pytest.importorskip("datasette")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def fetch_json(url: str):
    return json.loads(fetch(url))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "news.db"
    make_store(f"sqlite:///{db}").engine.dispose()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "browse", "--db", f"sqlite:///{db}",
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_serving(lambda: fetch(base + "/-/versions.json"), proc, timeout=30):
            raise AssertionError(f"Datasette did not start: {proc.stdout.read().decode()[-2000:]}")
        yield base + "/news"
    finally:
        proc.send_signal(signal.SIGTERM)  # newscrawl stops its Datasette
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    with pytest.raises(OSError):
        fetch(base + "/-/versions.json")


@pytest.mark.server
@pytest.mark.process
def test_browse_serves_facets_search_and_readable_articles(served: str) -> None:
    page = fetch(served + "/articles")
    for facet in ("facet-site", "facet-category", "facet-published_utc"):
        assert facet in page, facet
    table = fetch_json(served + "/articles.json")
    assert set(table["facet_results"]) == {"site", "category", "published_utc"}
    assert {v["value"] for v in table["facet_results"]["site"]["results"]} == {"demo", "other"}
    rows = fetch_json(served + "/articles.json?_shape=array&_search=" + quote("天气"))
    assert sorted(r["id"] for r in rows) == [1, 2]  # a 2-character Chinese word, from the table's search box
    assert fetch_json(served + "/articles.json?_shape=array&_search=" + quote("预报天气")) == []
    hits = fetch_json(served + "/search.json?_shape=array&q=" + quote("天气预报"))
    assert [h["id"] for h in hits] == [2]
    article = fetch_json(served + "/read.json?_shape=array&id=2")
    assert "今天的天气预报说明天会下雨。" in article[0]["body_text"]
    row = fetch_json(served + "/articles/2.json?_shape=array")
    assert row[0]["title"] == "第2条新闻 story 2"
    assert "white-space: pre-wrap" in fetch(served.rsplit("/", 1)[0] + "/-/static/app.css")  # bodies keep their lines


def test_browse_refuses_postgres_in_one_line(postgres_url: str) -> None:
    result = CliRunner().invoke(main, ["browse", "--db", postgres_url])
    assert result.exit_code == 1 and "SQLite stores only" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_browse_without_datasette_says_how_to_install(monkeypatch, sqlite_url: str) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    result = CliRunner().invoke(main, ["browse", "--db", sqlite_url])
    assert result.exit_code == 1 and "newscrawl[browse]" in result.output
    assert len(result.output.strip().splitlines()) == 1
