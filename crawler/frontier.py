"""The shared Redis frontier's life in one crawl process: when to wait for work, when to
leave, and who cleans the run's keys up (``SharedFrontier``, a Scrapy extension).

The scheduler and duplicate filter themselves are scrapy-redis's
(``crawler.runner.redis_settings``); the spider only needs to know that the frontier is
shared (``NewsSpider.shared_frontier``).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured


class SharedFrontier:
    """Several crawl processes sharing one Redis frontier (scrapy-redis scheduler and duplicate
    filter): each process stays up while the frontier is empty for less than
    NEWSCRAWL_REDIS_IDLE_TIMEOUT seconds (another process may still be adding to it), counts
    itself in and out, and the last one out deletes the run's keys. A Scrapy extension, off
    unless REDIS_URL is set."""

    POLL = 0.25  # seconds between looks at an empty frontier

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedFrontier:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # no message: Scrapy would log one warning per crawl without --redis
        frontier = cls(crawler)
        crawler.signals.connect(frontier.join, signal=signals.spider_opened)
        crawler.signals.connect(frontier.idle, signal=signals.spider_idle)
        crawler.signals.connect(frontier.activity, signal=signals.response_received)
        crawler.signals.connect(frontier.close, signal=signals.spider_closed)
        return frontier

    def __init__(self, crawler: Any) -> None:
        import redis  # only needed with a shared frontier

        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("NEWSCRAWL_REDIS_IDLE_TIMEOUT")
        self.redis = redis.Redis.from_url(crawler.settings.get("REDIS_URL"))
        prefix = crawler.settings.get("SCHEDULER_QUEUE_KEY", "newscrawl:requests").rsplit(":", 1)[0]
        self.keys = [crawler.settings.get("SCHEDULER_QUEUE_KEY"), crawler.settings.get("SCHEDULER_DUPEFILTER_KEY")]
        self.workers_key = f"{prefix}:workers"
        self.last_active = time.monotonic()
        self.joined = False
        self.wake: Any = None  # the pending _poll while idle

    def join(self, spider: Any = None) -> None:
        """Count this process in as the crawl starts; its idle time counts from now, not from
        its construction (a process still spawning its parse workers on a loaded machine used
        up its idle timeout before it had looked at the frontier once, and left at once)."""
        if not self.joined:
            self.redis.incr(self.workers_key)
            self.joined = True
        self.last_active = time.monotonic()

    def activity(self, *args: Any, **kwargs: Any) -> None:
        self.last_active = time.monotonic()

    def idle(self, spider: Any = None) -> None:
        if time.monotonic() - self.last_active < self.timeout:
            self._watch()
            raise DontCloseSpider

    def _watch(self) -> None:
        """While idle, look at the frontier every POLL seconds. Scrapy itself only asks an idle
        scheduler again on its 5-second heartbeat: a process that found the frontier empty
        sat 5 s before taking the requests another process had added meanwhile (measured:
        the second process idle for the first 5 s of a 5,000-page sitemap crawl), and
        lingered up to 5 s past its idle timeout."""
        from twisted.internet import reactor

        if self.wake is None or not self.wake.active():
            self.wake = reactor.callLater(self.POLL, self._poll)

    def _poll(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None or getattr(engine, "_slot", None) is None:
            return  # closing
        if not engine.spider_is_idle():  # the frontier has work: take it now
            nextcall = getattr(engine._slot, "nextcall", None)  # private; the heartbeat remains if it goes
            if nextcall is not None:
                nextcall.schedule()
            return
        if time.monotonic() - self.last_active >= self.timeout:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="finished"))
        else:
            self._watch()

    def close(self, spider: Any = None) -> None:
        if self.wake is not None and self.wake.active():
            self.wake.cancel()
        if not self.joined:
            return
        self.joined = False
        left = self.redis.decr(self.workers_key)
        if left <= 0:
            self.redis.delete(self.workers_key, *[k for k in self.keys if k])
