"""Quiet and readable output, with real crawl processes: `-q` prints warnings and the final
summary only, an expected network failure is one line and never a traceback, and
`--max-pages N` fetches at most N pages even with 32 requests in flight."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storage.crawlstate import recent_runs
from storage.db import connect
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def crawl(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_quiet_refused_connection_is_one_line_each(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = crawl(tmp_path, f"sqlite:///{tmp_path / 'q.db'}", f"http://127.0.0.1:{port}/", "-q",
                   "-s", "RETRY_TIMES=1")
    lines = result.stderr.splitlines()
    assert result.returncode == 3, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not [line for line in lines if " INFO: " in line or " DEBUG: " in line], lines
    assert all(line.startswith(("20", "crawl ", "error: ")) for line in lines), lines  # log lines, summary, why
    assert len(lines) <= 8, lines
    assert lines[-2].startswith("crawl finished: 0 pages") and lines[-1].startswith("error: ")


def test_quiet_normal_crawl_prints_only_the_summary(tmp_path: Path) -> None:
    with LocalSite() as site:
        site.route("/", listing(["/news/1.html"]))
        site.route("/news/1.html", article(1))
        result = crawl(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", site.url("/"), "-q")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if line.startswith("crawl ")]


def test_max_pages_is_respected_with_requests_in_flight(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    with LocalSite() as site:
        site.route("/", listing([f"/news/{i}.html" for i in range(1, 101)]))
        for i in range(1, 101):
            site.route(f"/news/{i}.html", article(i), delay=0.2)  # slow enough that 32 are in flight
        result = crawl(tmp_path, db, site.url("/"), "--max-pages", "30", "-q")
        pages = sum(n for path, n in site.hits().items() if path != "/robots.txt")
    assert result.returncode == 0, result.stderr[-2000:]
    assert pages <= 30, pages
    run = recent_runs(connect(db), 1)[0]
    assert run["status"] == "finished"
    assert run["items_skipped"] >= 1  # the links not fetched are recorded, with the budget as the reason


def test_quiet_redis_crawl_prints_no_library_deprecation(tmp_path: Path, redis_client, site_name: str) -> None:
    """scrapy-redis calls Scrapy APIs Scrapy has deprecated (``inc_value(spider=...)``): two
    warnings per crawl that no user can act on. `crawl --redis -q` prints the summary only."""
    from tests.ops.conftest import REDIS_URL

    with LocalSite() as site:
        site.route("/", listing(["/news/1.html", "/news/2.html"]))
        site.route("/news/1.html", article(1))
        site.route("/news/2.html", article(2))
        result = crawl(tmp_path, f"sqlite:///{tmp_path / 'r.db'}", site.url("/"), "-q", "--redis", REDIS_URL,
                       "--site", site_name, "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "DeprecationWarning" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("crawl ") for line in lines), lines
    assert "2 new" in lines[-1]
