"""The shared Redis frontier's life in one crawl process: when to wait for work, when to
leave, and who cleans the run's keys up (``SharedFrontier``, a Scrapy extension), and
at-least-once delivery of its requests (``LeasedQueue``).

The scheduler and duplicate filter themselves are scrapy-redis's
(``crawler.runner.redis_settings``); the spider only needs to know that the frontier is
shared (``NewsSpider.shared_frontier``).

What scrapy-redis does not have, added here: its priority queue *removes* a request when a
process takes it, so the pages a SIGKILLed process had taken were lost (their URLs already
in the shared duplicate filter, so nobody fetched them again). ``LeasedQueue`` moves a taken
request, in the same Lua script, into the taking worker's lease hash; the lease ends when
the page's outcome is committed to the database (the store pipeline sends ``items_stored``),
when the request goes back to the queue (a retry, a redirect) or when the worker closes
cleanly. Each worker keeps a heartbeat key alive (``HEARTBEAT`` s, expiring after
``LEASE_TIMEOUT`` s); any worker finding a registered worker without a heartbeat returns
its leases to the queue, in one script, and closes that worker's run as crashed. Every key
of the run expires ``KEY_TTL`` s after the last heartbeat, so a crawl whose every worker
died leaves nothing forever.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
import warnings
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy_redis.queue import PriorityQueue

# scrapy-redis (0.9.1) calls Scrapy APIs that Scrapy has deprecated (``stats.inc_value(...,
# spider=...)`` on every request it queues): two warnings per crawl, printed even with -q,
# that no user can act on. Silenced for scrapy-redis's own modules only, by category; this
# module is imported before any of them runs (it is the scheduler's queue class and the
# store pipeline's signal), with `newscrawl crawl --redis` and under Scrapyd alike.
for _category in (ScrapyDeprecationWarning, DeprecationWarning):
    warnings.filterwarnings("ignore", category=_category, module=r"scrapy_redis(\.|$)")

# Sent by the store pipeline once a batch is committed: ``urls``, the URLs whose outcome is now
# in the database (their leases can go).
items_stored = object()

HEARTBEAT = 2.0  # seconds between a worker's heartbeats (and its looks for dead workers)
LEASE_TIMEOUT = 10  # seconds without a heartbeat after which a worker is dead and its leases return
KEY_TTL = 3600  # seconds the run's keys live after the last heartbeat of any worker

# KEYS: queue, leases of this worker. Takes the first request and leases it: field = its sha1,
# value = "score|data". Returns {data, field} or nil.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
return {r[1], id}
"""
# KEYS: queue, leases of a dead worker. Returns every lease to the queue; the count.
_RETURN = """
local all = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #all, 2 do
  local v = all[i + 1]
  local bar = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, bar - 1)), string.sub(v, bar + 1))
  n = n + 1
end
redis.call('DEL', KEYS[2])
return n
"""


def _prefix(queue_key: str) -> str:
    return queue_key.rsplit(":", 1)[0]


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, with a lease for every request a worker takes (see the
    module docstring). The worker is the crawl's ``SharedFrontier``."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        crawler = getattr(spider, "crawler", None)
        self.worker: str = getattr(crawler, "newscrawl_worker", None) or _worker_id()
        self.leases = f"{_prefix(self.key)}:leases:{self.worker}"
        self._pop = server.register_script(_POP)

    def push(self, request: Any) -> None:
        lease = request.meta.pop("newscrawl_lease", None)  # a retry or redirect of a leased request
        super().push(request)
        if lease:
            self.server.hdel(self.leases, lease)  # after the push: at least once

    def pop(self, timeout: int = 0) -> Any:
        got = self._pop(keys=[self.key, self.leases])
        if not got:
            return None
        data, lease = got
        request = self._decode_request(data)
        request.meta["newscrawl_lease"] = lease.decode() if isinstance(lease, bytes) else lease
        return request


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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
        crawler.signals.connect(frontier.close, signal=signals.spider_closed)
        return frontier

    def __init__(self, crawler: Any) -> None:
        import redis  # only needed with a shared frontier

        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("NEWSCRAWL_REDIS_IDLE_TIMEOUT")
        self.redis = redis.Redis.from_url(crawler.settings.get("REDIS_URL"))
        self.queue_key = crawler.settings.get("SCHEDULER_QUEUE_KEY", "newscrawl:requests")
        prefix = _prefix(self.queue_key)
        self.prefix = prefix
        self.keys = [self.queue_key, crawler.settings.get("SCHEDULER_DUPEFILTER_KEY")]
        self.workers_key = f"{prefix}:workers"  # a hash: worker id -> its run id in the database
        self.worker = _worker_id()
        crawler.newscrawl_worker = self.worker  # the LeasedQueue's owner
        self.leases = f"{prefix}:leases:{self.worker}"
        self.alive_key = f"{prefix}:alive:{self.worker}"
        self.in_flight: dict[str, str] = {}  # URL -> lease, for pages answered and not yet stored
        self.last_active = time.monotonic()
        self.joined = False
        self.wake: Any = None  # the pending _poll while idle
        self.beat: Any = None  # the heartbeat LoopingCall
        self._return = self.redis.register_script(_RETURN)
        crawler.signals.connect(self.stored, signal=items_stored)
        crawler.signals.connect(self.answered, signal=signals.response_received)
        crawler.signals.connect(self.sent, signal=signals.request_reached_downloader)

    def join(self, spider: Any = None) -> None:
        """Count this process in as the crawl starts; its idle time counts from now, not from
        its construction (a process still spawning its parse workers on a loaded machine used
        up its idle timeout before it had looked at the frontier once, and left at once)."""
        from twisted.internet.task import LoopingCall

        if not self.joined:
            run_id = self.crawler.stats.get_value("newscrawl/run_id") or ""
            self.redis.hset(self.workers_key, self.worker, str(run_id))
            self.joined = True
            self.heartbeat()
            self.beat = LoopingCall(self.heartbeat)
            self.beat.start(HEARTBEAT, now=False)
        self.last_active = time.monotonic()

    def heartbeat(self) -> None:
        """I am alive; the run's keys live on; dead workers' leases go back to the queue."""
        try:
            pipe = self.redis.pipeline()
            pipe.set(self.alive_key, "1", ex=LEASE_TIMEOUT)
            for key in (*[k for k in self.keys if k], self.workers_key, self.leases):
                pipe.expire(key, KEY_TTL)
            pipe.execute()
            self.reap()
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: the next beat tries again
            self.crawler.stats.inc_value("newscrawl/redis_heartbeat_errors")
            import logging

            logging.getLogger(__name__).warning("shared frontier heartbeat failed: %s", exc)

    def reap(self) -> int:
        """Return the leases of every registered worker without a heartbeat; close their runs
        as crashed. Returns how many requests went back to the queue."""
        returned = 0
        for raw, run_id in self.redis.hgetall(self.workers_key).items():
            worker = raw.decode()
            if worker == self.worker or self.redis.exists(f"{self.prefix}:alive:{worker}"):
                continue
            count = int(self._return(keys=[self.queue_key, f"{self.prefix}:leases:{worker}"]))
            if self.redis.hdel(self.workers_key, worker):
                returned += count
                self.crawler.stats.inc_value("newscrawl/leases_returned", count)
                import logging

                logging.getLogger(__name__).warning(
                    "worker %s of the shared frontier died: %d requests it had taken go back to the queue",
                    worker, count)
                self._close_run(run_id.decode())
        return returned

    def _close_run(self, run_id: str) -> None:
        if not run_id.isdigit():
            return
        try:
            from storage.db import connect
            from storage.repository import Repository

            Repository(connect(self.crawler.settings.get("NEWSCRAWL_DB"))).finish_run(int(run_id), "crashed", {})
        except Exception:  # noqa: BLE001, S110 - the next run's start marks it crashed anyway
            pass

    def answered(self, response: Any = None, request: Any = None, **kwargs: Any) -> None:
        self.last_active = time.monotonic()
        lease = request.meta.get("newscrawl_lease") if request is not None else None
        if not lease:
            return
        if response is not None and response.status == 304:  # nothing to store
            self.redis.hdel(self.leases, lease)
            return
        self.in_flight[request.url] = lease
        if response is not None:
            self.in_flight[response.url] = lease

    def sent(self, request: Any = None, **kwargs: Any) -> None:
        """A leased request is being fetched: its outcome (a failure too) ends the lease."""
        lease = request.meta.get("newscrawl_lease") if request is not None else None
        if lease:
            self.in_flight[request.url] = lease

    def stored(self, urls: list[str] | None = None, **kwargs: Any) -> None:
        """The outcomes of ``urls`` are committed: their leases end."""
        leases = {self.in_flight.pop(url) for url in urls or [] if url in self.in_flight}
        if leases:
            self.redis.hdel(self.leases, *leases)

    def activity(self, *args: Any, **kwargs: Any) -> None:
        self.last_active = time.monotonic()

    def _others_hold_leases(self) -> bool:
        """Another worker (alive, or dead and not yet reaped) holds requests: they may yet
        produce links, or come back to the queue."""
        for raw in self.redis.hkeys(self.workers_key):
            worker = raw.decode()
            if worker != self.worker and self.redis.hlen(f"{self.prefix}:leases:{worker}"):
                return True
        return False

    def idle(self, spider: Any = None) -> None:
        if time.monotonic() - self.last_active < self.timeout or self._others_hold_leases():
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
        """A clean end: everything this worker took is stored (the pipeline closed before
        this signal), so its leases end; the last worker out deletes the run's keys."""
        if self.wake is not None and self.wake.active():
            self.wake.cancel()
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        if not self.joined:
            return
        self.joined = False
        self.reap()
        self.redis.delete(self.leases, self.alive_key)
        self.redis.hdel(self.workers_key, self.worker)
        if not self.redis.hlen(self.workers_key):
            self.redis.delete(self.workers_key, *[k for k in self.keys if k])
