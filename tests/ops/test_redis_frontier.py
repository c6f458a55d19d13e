"""Two crawl processes sharing one frontier through the real Redis at 127.0.0.1:6379 and one
PostgreSQL: every page is fetched and stored exactly once, both processes exit by
themselves, and the run's Redis keys are cleaned up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from storage.db import connect
from storage.report import Selection
from storage.repository import Repository
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing
from tests.ops.conftest import REDIS_URL

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
PAGES = 2000


def test_two_processes_share_one_frontier(redis_client, postgres_url: str, site_name: str) -> None:
    with LocalSite() as site:
        per_page = 100
        pages = PAGES // per_page
        site.route("/", listing([f"/list/{p}" for p in range(1, pages + 1)]))
        for p in range(1, pages + 1):
            site.route(f"/list/{p}", listing([f"/news/{n}.html" for n in range((p - 1) * per_page + 1,
                                                                                 p * per_page + 1)]))
        for n in range(1, PAGES + 1):
            site.route(f"/news/{n}.html", article(n, title=f"Shared frontier story {n} for the test"))
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--db", postgres_url, "--redis", REDIS_URL,
               "--preset", "fast", "--site", site_name, "--log-level", "WARNING",
               "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=4",
               "-s", "NEWSCRAWL_PARSE_WORKERS=1"]
        env = dict(os.environ)
        started = time.monotonic()
        procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outputs = [p.communicate(timeout=300) for p in procs]
        elapsed = time.monotonic() - started
        hits = site.hits()
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
    articles = {p: n for p, n in hits.items() if p.startswith("/news/")}
    assert len(articles) == PAGES and set(articles.values()) == {1}, "every page fetched exactly once"
    assert all("crawl finished" in err for _, err in outputs)
    new_counts = [int(err.split(" new,")[0].rsplit(" ", 1)[1]) for _, err in outputs]
    assert sum(new_counts) == PAGES and min(new_counts) > 0, new_counts  # both processes did work
    repo = Repository(connect(postgres_url))
    assert len(list(repo.iter_records(Selection(duplicates="include")))) == PAGES
    assert not list(redis_client.scan_iter(f"newscrawl:{site_name}:*")), "the run's keys are cleaned up"
    assert elapsed < 280


def test_process_exits_when_the_idle_timeout_ends(redis_client, postgres_url: str, site_name: str) -> None:
    """A process leaves an empty frontier right after NEWSCRAWL_REDIS_IDLE_TIMEOUT, not at
    Scrapy's next 5-second idle heartbeat (which made it linger up to 5 s longer)."""
    import json
    from datetime import datetime

    timeout = 2.0
    with LocalSite() as site:
        site.route("/", listing([f"/news/{n}.html" for n in range(1, 4)]))
        for n in range(1, 4):
            site.route(f"/news/{n}.html", article(n, title=f"Idle timeout story {n} for the test"))
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--db", postgres_url, "--redis", REDIS_URL,
               "--preset", "fast", "--site", site_name, "--log-format", "json",
               "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={timeout}"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    closing = [datetime.fromisoformat(e["time"]) for e in lines if "Closing spider (finished)" in e.get("message", "")]
    assert closing, proc.stderr[-2000:]
    records = list(Repository(connect(postgres_url)).iter_records(Selection(duplicates="include")))
    assert len(records) == 3
    last_fetch = max(datetime.fromisoformat(r.fetched_at) for r in records)
    gap = (closing[0] - last_fetch).total_seconds()
    assert timeout <= gap < timeout + 1.5, gap


def test_an_idle_process_takes_new_work_at_once(redis_client, postgres_url: str, site_name: str) -> None:
    """Two processes start on one seed: one takes it, the other finds the frontier empty. The
    idle one must start on the links the first adds within a second, not at Scrapy's next
    5-second idle heartbeat."""
    with LocalSite() as site:
        # The seed answers after 4 s, so the other process is up and idle (not still importing
        # on a loaded machine) when the links arrive; its idle timeout outlasts that wait.
        site.route("/", listing([f"/news/{n}.html" for n in range(1, 41)]), delay=4.0)
        for n in range(1, 41):
            site.route(f"/news/{n}.html", article(n, title=f"Idle process story {n} for the test"), delay=0.3)
        procs = []
        for agent in ("proc-a", "proc-b"):
            cmd = [sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--db", postgres_url, "--redis",
                   REDIS_URL, "--preset", "fast", "--site", site_name, "--log-level", "WARNING",
                   "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=8",
                   "-s", "CONCURRENT_REQUESTS=2", "-s", f"USER_AGENT={agent}"]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=120) for p in procs]
        log = list(site.log)
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
    seed_taker = next(h["User-Agent"] for path, _, h in log if path == "/")
    other = "proc-b" if seed_taker == "proc-a" else "proc-a"
    articles = [(t, h["User-Agent"]) for path, t, h in log if path.startswith("/news/")]
    first_article = min(t for t, _ in articles)
    first_by_other = min(t for t, agent in articles if agent == other)
    assert first_by_other - first_article < 1.5, first_by_other - first_article
