"""One crawl lock per database and site, whatever the URL spelling (crawler.lock): the same
SQLite file named two ways gives exit 75 to the second of two real crawl processes, and with
PostgreSQL the lock is also held inside the database (an advisory lock)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.exitcodes import EXIT_LOCKED
from crawler.lock import AlreadyRunning, SiteLock, database_key
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def test_database_key_ignores_the_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "sub")
    assert database_key(f"sqlite:///{tmp_path}/x.db") == database_key("sqlite:///x.db") \
        == database_key("sqlite:///sub/../x.db")
    assert database_key("sqlite:///link/y.db") == database_key(f"sqlite:///{tmp_path}/sub/y.db")
    assert database_key("sqlite:///x.db") != database_key("sqlite:///y.db")
    assert database_key("postgresql://localhost/test") == database_key("postgresql+psycopg://u@127.0.0.1:5432/test")
    assert database_key("postgresql://localhost/test") != database_key("postgresql://localhost/other")


def test_same_sqlite_file_named_two_ways_exits_75(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill"),
           "PYTHONPATH": str(ROOT)}
    absolute = f"sqlite:///{tmp_path / 'x.db'}"  # sqlite:////tmp/.../x.db
    with LocalSite() as site:
        site.route("/", listing([f"/news/{i}.html" for i in range(1, 41)]))
        # The articles answer slowly enough that the first crawl is still running, however long
        # the second takes to start: at 0.5 s the fast preset fetched all 40 at once and, on a
        # loaded machine (CI, 12-07), finished before the second crawl reached its lock. It is
        # killed below either way; the server's handler threads are daemons and do not wait.
        for i in range(1, 41):
            site.route(f"/news/{i}.html", article(i), delay=30.0)
        first = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--db", absolute, "--preset", "fast",
                                  "-q", "--site", "same", site.url("/")], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not site.hits()["/news/1.html"] and time.monotonic() < deadline:  # it holds the lock
                time.sleep(0.1)
            second = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--db", "sqlite:///x.db",
                                     "--preset", "fast", "-q", "--site", "same", site.url("/")], cwd=tmp_path,
                                    env=env, capture_output=True, text=True, timeout=120)
            assert first.poll() is None, "the first crawl ended before the second started"
        finally:
            first.kill()
            first.wait(timeout=30)
    assert second.returncode == EXIT_LOCKED, second.stderr[-2000:]
    assert "another crawl of 'same' is running" in second.stderr


def test_postgresql_advisory_lock_whatever_the_spelling(tmp_path: Path, postgres_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_LOCK_DIR", str(tmp_path / "a"))
    with SiteLock(postgres_url, "site"):
        # another machine: its own lock folder, the server under another name
        monkeypatch.setenv("NEWSCRAWL_LOCK_DIR", str(tmp_path / "b"))
        other = postgres_url.replace("127.0.0.1", "localhost")
        with pytest.raises(AlreadyRunning, match="advisory lock"):
            SiteLock(other, "site").acquire()
        with SiteLock(other, "another-site"):
            pass
    with SiteLock(postgres_url.replace("127.0.0.1", "localhost"), "site"):  # released with the first
        pass
