"""Backpressure for discovered requests, as a spider middleware: a sitemap of 20,000 URLs
enters Scrapy's in-memory scheduler as it drains, not all at once (20,000 Requests in memory
in the first seconds).

``DiscoveryBackpressure`` sits last in the spider-middleware chain (closest to the engine,
after the depth and safety checks that may drop a request). Scrapy pulls a callback's output
through the chain one item at a time, so when this middleware waits before passing a
Request on, the callback itself waits: a sitemap callback stops reading entries until the
scheduler has room. It returns at once while the scheduler holds fewer than
NEWSCRAWL_MAX_QUEUED requests, and otherwise waits, polling, while the crawl is moving. It
never waits when nothing in flight would drain the scheduler: when the downloader is idle
and the only responses being scraped are the ones waiting here (their own outputs can fill
Scrapy's scraper slot, which then stops all downloads), waiting would be a deadlock, so the
requests go to the scheduler as before. Scrapy has no public API for "requests in flight",
so this reads the engine's downloader and scraper slot; a scheduler that cannot tell its
size is never waited on.

With a shared Redis frontier (``crawler.frontier``) the queue is not in this process, so it
never waits; it hands each request to the engine at once instead. Scrapy takes one output
of a callback per turn of its event loop, which on a busy crawl process is about one per
page parsed: the shared frontier would only ever hold what this process is about to take
itself, and the other processes would find it empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request

POLL = 0.05  # seconds between two looks at the scheduler while waiting for room


class DiscoveryBackpressure:
    """Spider middleware: waits before passing on a Request while the scheduler is full
    (``max_queued`` 0 turns it off); with a shared frontier, enqueues at once."""

    def __init__(self, crawler: Any, max_queued: int, shared_frontier: bool = False) -> None:
        self.crawler = crawler
        self.max_queued = max_queued
        self.shared_frontier = shared_frontier
        self.waiting = 0  # outputs waiting here for the scheduler to drain

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiscoveryBackpressure:
        return cls(crawler, crawler.settings.getint("NEWSCRAWL_MAX_QUEUED"), bool(crawler.settings.get("REDIS_URL")))

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any],
                                    spider: Any = None) -> AsyncIterator[Any]:
        async for item in result:
            if isinstance(item, Request):
                if self.shared_frontier:
                    self.crawler.engine.crawl(item)
                    continue
                await self.room()
            yield item

    async def room(self) -> None:
        """Return when the scheduler has room for one more request (or waiting would stall)."""
        crawler = self.crawler
        engine = getattr(crawler, "engine", None)
        if self.max_queued <= 0 or self.shared_frontier or engine is None:
            return
        if not self._queue_full(engine) or not self._draining(engine):
            return
        crawler.stats.inc_value("newscrawl/queue_waits")
        self.waiting += 1
        try:
            while self._queue_full(engine) and self._draining(engine):
                await asyncio.sleep(POLL)
        finally:
            self.waiting -= 1

    def _queue_full(self, engine: Any) -> bool:
        scheduler = engine.scheduler
        try:
            queued = len(scheduler) if scheduler is not None else 0
        except TypeError:  # a scheduler without __len__
            return False
        self.crawler.stats.max_value("newscrawl/queue_max", queued)
        return queued >= self.max_queued

    def _draining(self, engine: Any) -> bool:
        """Whether something in flight will make the engine take requests from the scheduler."""
        if not engine.running or engine.scheduler is None:
            return False
        if engine.downloader.active:
            return True
        slot = engine.scraper.slot
        return slot is not None and len(slot.active) > self.waiting
