"""At-least-once shared frontier (crawler.frontier.LeasedQueue): three `crawl --redis`
processes on one PostgreSQL database and the real Redis, one SIGKILLed mid-crawl; the
survivors get the dead worker's leased requests back, every page ends stored once with a
state, the dead run is closed as crashed, and no key of the run is left in Redis."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.crawlstate import recent_runs
from storage.db import connect
from storage.models import Article, UrlState
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing
from tests.ops.conftest import REDIS_URL

pytestmark = pytest.mark.e2e
PAGES = 300


def stored_count(db: str) -> int:
    try:
        with Session(connect(db)) as session:
            return int(session.scalar(select(func.count()).select_from(Article)) or 0)
    except Exception:  # noqa: BLE001 - not migrated yet
        return 0


@pytest.mark.timeout(400)
def test_sigkilled_worker_loses_nothing(redis_client, postgres_url: str, site_name: str) -> None:
    with LocalSite() as site:
        per_page = 50
        site.route("/", listing([f"/list/{p}" for p in range(1, PAGES // per_page + 1)]))
        for p in range(1, PAGES // per_page + 1):
            site.route(f"/list/{p}", listing([f"/news/{n}.html" for n in range((p - 1) * per_page + 1,
                                                                                 p * per_page + 1)]))
        for n in range(1, PAGES + 1):
            site.route(f"/news/{n}.html", article(n, title=f"Leased frontier story {n} for the kill test"),
                       delay=0.3)
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--db", postgres_url, "--redis", REDIS_URL,
               "--preset", "fast", "--site", site_name, "--log-level", "WARNING",
               "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=4", "-s", "NEWSCRAWL_PARSE_WORKERS=0",
               "-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSCRAWL_FLUSH_SECONDS=1"]
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  start_new_session=True) for _ in range(3)]
        deadline = time.monotonic() + 120
        while stored_count(postgres_url) < 40 and time.monotonic() < deadline and procs[0].poll() is None:
            time.sleep(0.1)
        assert procs[0].poll() is None, "the first worker ended before it could be killed"
        os.killpg(procs[0].pid, signal.SIGKILL)
        procs[0].wait(timeout=30)
        outputs = [p.communicate(timeout=300)[1] for p in procs[1:]]
        hits = site.hits()
        for proc, err in zip(procs[1:], outputs):
            assert proc.returncode == 0, err[-3000:]
        returned = [int(m) for err in outputs for m in re.findall(r"died: (\d+) requests it had taken", err)]
        assert returned and sum(returned) > 0, outputs[0][-2000:]  # the dead worker's leases came back
        leftover = list(redis_client.scan_iter(f"newscrawl:{site_name}:*"))
        assert not leftover, f"keys left in Redis: {leftover}"
        urls = {site.url(f"/news/{n}.html") for n in range(1, PAGES + 1)}
        with Session(connect(postgres_url)) as session:
            stored = list(session.scalars(select(Article.canonical_url)))
            states = {r.url: r.state for r in session.scalars(select(UrlState).where(UrlState.url.in_(urls)))}
        assert len(stored) == len(set(stored)) == PAGES and set(stored) == urls  # every page stored once
        assert set(states) == urls and set(states.values()) == {"stored"}
        assert all(hits[f"/news/{n}.html"] >= 1 for n in range(1, PAGES + 1))
        runs = {r["status"] for r in recent_runs(connect(postgres_url), 10, site_name)}
        assert "crashed" in runs and "running" not in runs, runs
        # a second run finds nothing left behind: it starts afresh and ends cleanly
        again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-3000:]
        assert not list(redis_client.scan_iter(f"newscrawl:{site_name}:*"))
