"""Backpressure for discovered requests: a sitemap of 20,000 URLs enters Scrapy's in-memory
scheduler as it drains, not all at once (20,000 Requests in memory in the first seconds).

The spider's discovery callbacks ``await room(crawler)`` before yielding each request: it
returns at once while the scheduler holds fewer than NEWSCRAWL_MAX_QUEUED requests, and
otherwise waits, polling, while the crawl is moving. It never waits when nothing in flight
would drain the scheduler: when the downloader is idle and the only responses being scraped
are the callbacks waiting here (their own bodies can fill Scrapy's scraper slot, which then
stops all downloads), waiting would be a deadlock, so the requests go to the scheduler as
before. Scrapy has no public API for "requests in flight", so this reads the engine's
downloader and scraper slot; a scheduler that cannot tell its size is never waited on.
"""

from __future__ import annotations

import asyncio
from typing import Any

POLL = 0.05  # seconds between two looks at the scheduler while waiting for room


class DiscoveryBackpressure:
    """``await room(crawler)`` before yielding a discovered request; ``max_queued`` 0 turns it off."""

    def __init__(self, max_queued: int) -> None:
        self.max_queued = max_queued
        self.waiting = 0  # callbacks waiting here for the scheduler to drain

    async def room(self, crawler: Any) -> None:
        engine = getattr(crawler, "engine", None)
        if self.max_queued <= 0 or engine is None:
            return
        if not self._queue_full(crawler, engine) or not self._draining(engine):
            return
        crawler.stats.inc_value("newscrawl/queue_waits")
        self.waiting += 1
        try:
            while self._queue_full(crawler, engine) and self._draining(engine):
                await asyncio.sleep(POLL)
        finally:
            self.waiting -= 1

    def _queue_full(self, crawler: Any, engine: Any) -> bool:
        scheduler = engine.scheduler
        try:
            queued = len(scheduler) if scheduler is not None else 0
        except TypeError:  # a scheduler without __len__
            return False
        crawler.stats.max_value("newscrawl/queue_max", queued)
        return queued >= self.max_queued

    def _draining(self, engine: Any) -> bool:
        """Whether something in flight will make the engine take requests from the scheduler."""
        if not engine.running or engine.scheduler is None:
            return False
        if engine.downloader.active:
            return True
        slot = engine.scraper.slot
        return slot is not None and len(slot.active) > self.waiting
