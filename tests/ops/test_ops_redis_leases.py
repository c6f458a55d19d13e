"""At-least-once shared frontier (crawler.frontier.LeasedQueue): two and three `crawl
--redis` processes on one PostgreSQL database and the real Redis, one SIGKILLed mid-crawl;
the survivors get the dead worker's leased requests back, every page ends stored once with a
state, the dead run is closed as crashed, no key of the run is left in Redis, and a second
run of the same crawl starts clean: it reads the site again and fetches no stored article."""

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


def news_hits(site: LocalSite) -> int:
    return sum(n for path, n in site.hits().items() if path.startswith("/news/"))


@pytest.mark.timeout(400)
@pytest.mark.parametrize("workers", [2, 3])
def test_sigkilled_worker_loses_nothing(redis_client, postgres_url: str, site_name: str, workers: int) -> None:
    with LocalSite() as site:
        per_page = 50
        lists = [f"/list/{p}" for p in range(1, PAGES // per_page + 1)]
        site.route("/", listing(lists))
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
                                  start_new_session=True) for _ in range(workers)]
        try:
            deadline = time.monotonic() + 120
            while stored_count(postgres_url) < 40 and time.monotonic() < deadline and procs[0].poll() is None:
                time.sleep(0.1)
            assert procs[0].poll() is None, f"the first worker ended before it could be killed: " \
                                            f"{procs[0].communicate(timeout=30)[1][-3000:]}"
            os.killpg(procs[0].pid, signal.SIGKILL)
            procs[0].wait(timeout=30)
            outputs = [p.communicate(timeout=300)[1] for p in procs[1:]]
        finally:
            for proc in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
        for proc, err in zip(procs[1:], outputs):
            assert proc.returncode == 0, err[-3000:]
        returned = [int(m) for err in outputs for m in re.findall(r"died: (\d+) requests it had taken", err)]
        assert returned and sum(returned) > 0, outputs[0][-2000:]  # the dead worker's leases came back
        leftover = list(redis_client.scan_iter(f"newscrawl:{site_name}:*"))
        assert not leftover, f"keys left in Redis: {leftover}"
        urls = {site.url(f"/news/{n}.html") for n in range(1, PAGES + 1)}
        every_url = urls | {site.url(p) for p in ["/", *lists]}
        with Session(connect(postgres_url)) as session:
            stored = list(session.scalars(select(Article.canonical_url)))
            states = {r.url: r.state for r in session.scalars(select(UrlState).where(UrlState.url.in_(every_url)))}
        assert len(stored) == len(set(stored)) == PAGES and set(stored) == urls  # every page stored once
        assert set(states) == every_url  # every URL of the site in a state
        assert {states[u] for u in urls} == {"stored"}
        assert all(hits >= 1 for path, hits in site.hits().items() if path.startswith("/news/"))
        runs = {r["status"] for r in recent_runs(connect(postgres_url), 10, site_name)}
        assert "crashed" in runs and "running" not in runs, runs
        # a second run finds nothing left behind: no key of the run, so it does not start from a
        # half-drained queue or a duplicate filter that would hide the start page (fetching 0
        # pages); it reads the site again and fetches none of the stored articles
        before = news_hits(site)
        listing_hits = site.hits()["/"]
        again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-3000:]
        assert site.hits()["/"] == listing_hits + 1  # started afresh from the start page
        assert news_hits(site) == before  # no stored article fetched again
        last = recent_runs(connect(postgres_url), 1, site_name)[0]
        assert last["status"] == "finished" and last["items_new"] == 0 and last["items_unchanged"] == PAGES, last
        assert not list(redis_client.scan_iter(f"newscrawl:{site_name}:*"))
