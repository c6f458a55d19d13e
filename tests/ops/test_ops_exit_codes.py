"""Exit codes a scheduler can act on (crawler.exitcodes), with real servers and processes:
a site answering 403 to everything and a refused port exit 3, a normal site with a dead link
exits 0, through `crawl` and through `schedule`; counts are printed and recorded either way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.exitcodes import EXIT_LOST, EXIT_OK, EXIT_UNREACHABLE
from storage.crawlstate import recent_runs
from storage.db import connect
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}


def crawl(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast",
                           "-s", "RETRY_TIMES=0", "--log-level", "WARNING", *args], cwd=ROOT, env=env(tmp_path),
                          capture_output=True, text=True, timeout=120)


def refused_url() -> str:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def forbidden_site(site: LocalSite) -> None:
    site.route("/robots.txt", "forbidden", status=403, content_type="text/plain")
    site.route("/", "forbidden", status=403)
    site.route("/sitemap.xml", "forbidden", status=403)


def normal_site(site: LocalSite) -> None:
    site.route("/", listing(["/news/1.html", "/news/2.html", "/news/gone.html"]))  # gone.html: 404
    site.route("/news/1.html", article(1))
    site.route("/news/2.html", article(2))


def test_crawl_exit_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'codes.db'}"
    with LocalSite() as down, LocalSite() as up:
        forbidden_site(down)
        normal_site(up)
        blocked = crawl(tmp_path, db, down.url("/"), down.url("/sitemap.xml"), "--site", "down")
        refused = crawl(tmp_path, db, refused_url(), "--site", "refused")
        fine = crawl(tmp_path, db, up.url("/"), "--site", "up")
        partly = crawl(tmp_path, db, up.url("/"), down.url("/sitemap.xml"), "--site", "partly")
    assert blocked.returncode == EXIT_UNREACHABLE, blocked.stderr[-2000:]
    assert "error: " in blocked.stderr and "(exit 3)" in blocked.stderr
    assert refused.returncode == EXIT_UNREACHABLE, refused.stderr[-2000:]
    assert "Traceback" not in refused.stderr and "Traceback" not in blocked.stderr
    # the dead link is recorded and counted, and the run still did its work
    assert fine.returncode == EXIT_OK, fine.stderr[-2000:]
    assert "2 new" in fine.stderr and "1 failed" in fine.stderr
    # a start point (here a sitemap) that fails is the operator's business even when the rest worked
    assert partly.returncode == EXIT_UNREACHABLE, partly.stderr[-2000:]
    for result in (blocked, refused, fine, partly):  # counts printed whatever the code
        assert "crawl finished: " in result.stderr
    runs = {r["site"]: r for r in recent_runs(connect(db), 10)}
    assert runs["down"]["status"] == "unreachable" and runs["down"]["items_failed"] == 2
    assert runs["refused"]["status"] == "unreachable" and runs["refused"]["items_failed"] == 1
    assert runs["up"]["status"] == "finished" and runs["up"]["items_new"] == 2 and runs["up"]["items_failed"] == 1
    assert runs["partly"]["status"] == "unreachable"


def test_help_documents_exit_codes() -> None:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert "3   nothing could be fetched" in result.stdout and "75  another crawl" in result.stdout


def test_schedule_marks_unreachable_jobs_failed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sched.db'}"
    args = 'args = ["--preset", "fast", "--log-level", "WARNING", "-s", "RETRY_TIMES=0"]\n'
    with LocalSite() as down, LocalSite() as up:
        forbidden_site(down)
        normal_site(up)
        jobs = "".join(f'[[job]]\nname = "{name}"\ntargets = ["{url}"]\nevery = "1h"\n{args}'
                       for name, url in (("blocked", down.url("/")), ("refused", refused_url()), ("up", up.url("/"))))
        path = tmp_path / "schedule.toml"
        path.write_text(jobs, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", str(path), "--db", db, "--once"],
                                cwd=ROOT, env=env(tmp_path), capture_output=True, text=True, timeout=240)
    log = result.stderr
    assert result.returncode == 1, log[-2000:]
    assert "job blocked: failed: site unreachable (exit 3): 1 start URL(s)" in log, log[-2000:]
    assert "job refused: failed: site unreachable (exit 3)" in log
    assert "job up: ok in " in log and "2 new" in log


@pytest.mark.timeout(180)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signalled_crawl_is_recorded_interrupted(tmp_path: Path, sig: signal.Signals) -> None:
    """A crawl stopped by SIGTERM/SIGINT exits 1 and its run is recorded `interrupted` with
    what it stored; the run's row used to read Scrapy's finish reason before Scrapy had set
    it, and said `finished`."""
    db = f"sqlite:///{tmp_path / 'signal.db'}"
    with LocalSite() as site:
        site.route("/", listing([f"/news/{i}.html" for i in range(1, 41)]))
        for i in range(1, 41):
            site.route(f"/news/{i}.html", article(i, title=f"Slow story {i} for the signal test"), delay=0.5)
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast",
                                 "-s", "CONCURRENT_REQUESTS=2", "-s", "NEWSCRAWL_FLUSH_SECONDS=1",
                                 "--log-level", "WARNING", "--site", "slow", site.url("/")],
                                cwd=ROOT, env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and \
                sum(n for path, n in site.hits().items() if path.startswith("/news/")) < 4:
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be signalled"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_LOST, stderr[-2000:]
    assert "crawl shutdown: " in stderr and " new" in stderr  # the counts are printed whatever the code
    run = recent_runs(connect(db), 1, "slow")[0]
    assert run["status"] == "interrupted", run
    assert run["finished_at"] is not None and 1 <= run["items_new"] < 40, run
