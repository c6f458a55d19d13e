"""Discovery backpressure (issue 7, memory): a sitemap's URLs enter Scrapy's in-memory
scheduler as it drains, not all at once, and no URL is lost on the way.

``crawler.backpressure`` (a spider middleware) is tested on a stand-in engine (when it
waits, when it must not: a deadlock if nothing in flight would drain the scheduler; what it
does with a shared frontier), then through a real crawl of a local sitemap with a queue of
5 requests."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.backpressure import DiscoveryBackpressure
from storage.db import connect
from storage.models import Article, UrlState
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def max_value(self, key: str, value: int) -> None:
        self.values[key] = max(self.values.get(key, value), value)


class Engine:
    """What ``room`` looks at: the scheduler's size, the downloads and scraped responses
    in flight; and what the middleware hands requests to with a shared frontier."""

    def __init__(self, queued: int, downloading: int = 0, scraping: int = 0) -> None:
        self.running = True
        self.scheduler: list[object] | None = [object()] * queued
        self.downloader = SimpleNamespace(active={object() for _ in range(downloading)})
        self.scraper = SimpleNamespace(slot=SimpleNamespace(active={object() for _ in range(scraping)}))
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def middleware(engine: Engine, max_queued: int = 10, shared: bool = False) -> DiscoveryBackpressure:
    return DiscoveryBackpressure(SimpleNamespace(engine=engine, stats=Stats()), max_queued, shared)


def test_room_returns_at_once_below_the_limit() -> None:
    news = middleware(Engine(queued=9, downloading=5))
    asyncio.run(asyncio.wait_for(news.room(), 1))
    assert "newscrawl/queue_waits" not in news.crawler.stats.values


def test_room_waits_until_the_scheduler_drains() -> None:
    engine = Engine(queued=10, downloading=5)
    news = middleware(engine)

    async def drain() -> None:
        await asyncio.sleep(0.2)
        assert engine.scheduler is not None
        engine.scheduler.pop()

    async def main() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(asyncio.wait_for(news.room(), 5), drain())
        return loop.time() - started

    assert asyncio.run(main()) >= 0.2
    assert news.crawler.stats.values["newscrawl/queue_waits"] == 1
    assert news.waiting == 0


def test_room_never_waits_when_nothing_would_drain_the_scheduler() -> None:
    # Downloader idle, and the only responses being scraped are callbacks waiting here
    # (their bodies can fill Scrapy's scraper slot, which stops every download): waiting
    # would never end.
    news = middleware(Engine(queued=50, downloading=0, scraping=0))
    asyncio.run(asyncio.wait_for(news.room(), 1))
    news.waiting = 2
    news.crawler.engine = Engine(queued=50, downloading=0, scraping=2)
    asyncio.run(asyncio.wait_for(news.room(), 1))


def test_room_stops_waiting_when_the_engine_stops() -> None:
    engine = Engine(queued=10, downloading=5)
    news = middleware(engine)

    async def stop() -> None:
        await asyncio.sleep(0.1)
        engine.running = False

    async def main() -> None:
        await asyncio.gather(asyncio.wait_for(news.room(), 5), stop())

    asyncio.run(main())


def test_room_is_off_with_a_shared_frontier_or_a_zero_limit() -> None:
    news = middleware(Engine(queued=100, downloading=5), shared=True)
    asyncio.run(asyncio.wait_for(news.room(), 1))
    news = middleware(Engine(queued=100, downloading=5), max_queued=0)
    asyncio.run(asyncio.wait_for(news.room(), 1))


def test_the_output_waits_for_room_and_items_pass_at_once() -> None:
    """Through the middleware: items pass while the scheduler is full; a request waits
    until it drains, so the callback producing them waits too."""
    engine = Engine(queued=10, downloading=5)
    news = middleware(engine)
    produced: list[str] = []

    async def output() -> AsyncIterator[object]:
        for thing in ("item", Request("http://127.0.0.1/a"), "after"):
            produced.append(thing if isinstance(thing, str) else "request")
            yield thing

    async def main() -> list[object]:
        got: list[object] = []

        async def consume() -> None:
            async for thing in news.process_spider_output(None, output()):
                got.append(thing)

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(0.2)
        assert got == ["item"] and produced == ["item", "request"]  # the request waits, nothing after it is read
        assert engine.scheduler is not None
        engine.scheduler.pop()
        await asyncio.wait_for(task, 5)
        return got

    got = asyncio.run(main())
    assert got[0] == "item" and isinstance(got[1], Request) and got[2] == "after"


def test_with_a_shared_frontier_requests_go_to_the_engine_at_once() -> None:
    engine = Engine(queued=100, downloading=5)
    news = middleware(engine, shared=True)

    async def output() -> AsyncIterator[object]:
        yield Request("http://127.0.0.1/a")
        yield "item"
        yield Request("http://127.0.0.1/b")

    async def main() -> list[object]:
        return [thing async for thing in news.process_spider_output(None, output())]

    assert asyncio.run(asyncio.wait_for(main(), 1)) == ["item"]
    assert [r.url for r in engine.crawled] == ["http://127.0.0.1/a", "http://127.0.0.1/b"]


@pytest.mark.e2e
def test_a_sitemap_crawl_with_a_small_queue_records_every_url(tmp_path: Path) -> None:
    n = 60
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    with LocalSite() as site:
        urls = [site.url(f"/news/{i}.html") for i in range(1, n + 1)]
        entries = "".join(f"<url><loc>{u}</loc><lastmod>2025-03-04T09:30:00Z</lastmod></url>" for u in urls)
        site.route("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f"{entries}</urlset>", content_type="application/xml")
        for i in range(1, n + 1):
            if i == 7:
                continue  # a 404: must end as a recorded failure
            site.route(f"/news/{i}.html", article(i, title=f"Backpressure story {i} about the harbour works"),
                       delay=0.02)
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", site.url("/sitemap.xml"), "--db", db,
                               "--profile", "fast", "--site", "test", "--log-level", "INFO", "--quiet",
                               "-s", "NEWSCRAWL_MAX_QUEUED=5", "-s", "CONCURRENT_REQUESTS=4",
                               "-s", "NEWSCRAWL_PARSE_WORKERS=0"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={"NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"),
                                   "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill"),
                                   **{k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}})
    assert proc.returncode == 0, proc.stderr[-3000:]
    waits = re.search(r"'newscrawl/queue_waits': (\d+)", proc.stderr)
    queue_max = re.search(r"'newscrawl/queue_max': (\d+)", proc.stderr)
    assert waits and int(waits.group(1)) > 0, proc.stderr[-3000:]
    assert "'newscrawl/store': 'thread'" in proc.stderr  # no parse workers: the store stays a thread
    # at most the limit, give or take a request yielded while the downloader was momentarily idle
    assert queue_max and int(queue_max.group(1)) <= 10, queue_max.group(0)
    with Session(connect(db)) as session:
        stored = set(session.scalars(select(Article.canonical_url)))
        states = {url: state for url, state in session.execute(select(UrlState.url, UrlState.state))}
    assert stored == {u for i, u in enumerate(urls, 1) if i != 7}
    assert states[urls[6]] == "failed"
    assert all(url in states for url in urls)


@pytest.mark.process
def test_what_a_spawned_parse_worker_imports_stays_light() -> None:
    """A parse worker is spawned: it re-imports the parent's main module (``crawler.cli`` for
    the ``newscrawl`` command) and the parser. Neither may pull in SQLAlchemy, Scrapy or
    Twisted, which cost each worker ~40 MB they never use."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys, crawler.cli, crawler.speed.parsepool, crawler.parsing, storage.checks; "
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'scrapy', 'twisted', 'alembic')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout
