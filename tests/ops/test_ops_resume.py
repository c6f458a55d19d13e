"""Resume from what was stored (crawler.recrawl, storage.crawlstate.stored_urls): after a
real crawl process is SIGKILLed, `--resume` fetches none of the articles it stored (counted
by the server), and fetches and stores all the others."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def stored(path: Path) -> set[str]:
    if not path.exists():
        return set()
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return {row[0] for row in conn.execute("SELECT canonical_url FROM articles")}
    except sqlite3.OperationalError:  # not migrated yet
        return set()


def test_resume_after_kill_fetches_no_stored_article(tmp_path: Path) -> None:
    path = tmp_path / "resume.db"
    db = f"sqlite:///{path}"
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast", "-q", "--site", "resume",
           "-s", "CONCURRENT_REQUESTS=2"]
    n = 120
    with LocalSite() as site:
        site.route("/", listing([f"/news/{i}.html" for i in range(1, n + 1)]))
        for i in range(1, n + 1):
            site.route(f"/news/{i}.html", article(i, title=f"Resume story {i} for the kill test"), delay=0.3)
        proc = subprocess.Popen([*cmd, site.url("/")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 90
        # killed once the first records are in the database (flushed by time, not by batch size)
        while len(stored(path)) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        before = stored(path)
        assert 5 <= len(before) < n
        site.clear()
        done = subprocess.run([*cmd, "--resume", site.url("/")], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=180)
        hits = site.hits()
    assert done.returncode == 0, done.stderr[-2000:]
    refetched = [url for url in before if hits[url.removeprefix(site.base)]]
    assert not refetched, f"{len(refetched)} of {len(before)} stored articles fetched again"
    assert len(stored(path)) == n
    assert sum(hits[f"/news/{i}.html"] for i in range(1, n + 1)) == n - len(before)
