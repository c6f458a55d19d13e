"""The item pipeline: batches what the spider yields into the store.

Items arrive parsed, cleaned, checked and signed (``crawler.article.process_page``, run
once per page in a parse worker or inline), so the one pipeline only buffers and writes.
Nothing is dropped silently: a page that is not an article, or whose record would not be
stored, arrives as a ``Rejected`` outcome and is stored in the rejects table with its
reason (and its raw page, when kept); a record from elsewhere that the store refuses
becomes such a reject when its batch is written (``crawler.storewriter``). Deduplication
happens inside the store's transaction, where the URL, content hash and near-duplicate
index are. Writes are batched and run off the reactor, on one
thread or, with parse workers, in a store process of their own (``crawler.storewriter``), so
a slow commit never blocks it; each batch commits the records together with their
URLs' crawl state and raw pages (``RawPage`` items, yielded by the spider when
NEWSCRAWL_KEEP_RAW is on). A batch is written when it holds NEWSCRAWL_BATCH_SIZE items,
when its oldest item has waited NEWSCRAWL_FLUSH_SECONDS (a slow, polite crawl still shows
its records within seconds), and as soon as the crawl goes idle (with a shared frontier a
process may wait a while for more work: what it has is stored meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet.task import LoopingCall

from crawler.exitcodes import EXIT_OK, STATUS, verdict
from crawler.frontier import items_stored
from crawler.parsing.record import Record
from crawler.speed.gctune import threshold_setting
from crawler.storewriter import BatchResult, StoreExecutor
from storage.db import connect
from storage.outcomes import Failed, Skipped
from storage.repository import RawPage, Rejected, Repository
from storage.spill import pending_spills

logger = logging.getLogger(__name__)

__all__ = ["StorePipeline"]


class StorePipeline:
    """Batches records and rejects into the database and keeps the run's counts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_url = crawler.settings.get("NEWSCRAWL_DB")
        self.batch_size = crawler.settings.getint("NEWSCRAWL_BATCH_SIZE")
        self.max_wait = crawler.settings.getfloat("NEWSCRAWL_FLUSH_SECONDS")
        self.buffer: list[Record | Rejected | RawPage | Failed | Skipped] = []
        self.buffer_since = 0.0
        # Default (None): a store process exactly when pages are parsed in worker processes
        # (the crawl process is then the busy one, see crawler.storewriter); else a thread.
        choice = crawler.settings.get("NEWSCRAWL_STORE_PROCESS")
        if choice is None:
            self.store_process = crawler.settings.getint("NEWSCRAWL_PARSE_WORKERS") > 0
        else:
            self.store_process = crawler.settings.getbool("NEWSCRAWL_STORE_PROCESS")
        self.writer: StoreExecutor | None = None
        self.idle_flushes: set[asyncio.Future[None]] = set()
        self.disk_full = False
        self.repo: Repository | None = None
        self.run_id: int | None = None
        self.ticker: LoopingCall | None = None
        self.shared_frontier = bool(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._idle, signal=signals.spider_idle)
        return pipeline

    def _idle(self, spider: Any = None) -> None:
        """Nothing left to crawl for now: store what is buffered instead of waiting for more."""
        self._flush_soon()

    def _tick(self) -> None:
        """Once a second: a buffer whose oldest item has waited NEWSCRAWL_FLUSH_SECONDS is
        written even if no further item arrives to trigger it (a slow page, a long parse), so
        what was stored reaches the database, and a resume after a kill sees it, within
        seconds."""
        if self.buffer and time.monotonic() - self.buffer_since >= self.max_wait:
            self._flush_soon()

    def _flush_soon(self) -> None:
        if self.buffer:
            # Kept until done: close_spider waits for it, or its counts would miss the run's row.
            flush = asyncio.ensure_future(self._flush())
            self.idle_flushes.add(flush)
            flush.add_done_callback(self.idle_flushes.discard)

    def open_spider(self, spider: Any = None) -> None:
        self.repo = Repository(connect(self.db_url))
        spider = spider or self.crawler.spider
        site = getattr(getattr(spider, "options", None), "site", None)
        self.run_id = self.repo.start_run(spider.name, site, {"start_urls": list(getattr(spider, "start_urls", []))})
        self.crawler.stats.set_value("newscrawl/run_id", self.run_id)
        if not self.crawler.settings.get("REDIS_URL"):  # with a shared frontier other runs are alive
            for run in self.repo.mark_crashed(site, self.run_id):
                logger.warning("run %d of %s never finished (its process died); marked crashed", run, site)
        self._replay_spills()
        self.writer = StoreExecutor(self.repo, self.run_id, process=self.store_process,
                                    gc_threshold=threshold_setting(self.crawler.settings))
        self.crawler.stats.set_value("newscrawl/store", "process" if self.store_process else "thread")
        self.ticker = LoopingCall(self._tick)
        self.ticker.start(1.0, now=False)

    def _replay_spills(self) -> None:
        """Items an earlier run could not store (its database was away) are stored first."""
        assert self.repo is not None
        for spill in pending_spills(self.repo.engine):
            items = spill.read()
            try:
                for start in range(0, len(items), self.batch_size):
                    self.repo.store_batch(items[start:start + self.batch_size], self.run_id)
            except Exception as exc:  # noqa: BLE001 - keep the file; the next run tries again
                logger.error("could not replay %d spilled items from %s: %s", len(items), spill.path, exc)
                self.crawler.stats.inc_value("newscrawl/store_errors")
                continue
            spill.remove()
            self.crawler.stats.inc_value("newscrawl/replayed", len(items))
            logger.warning("stored %d items spilled by an earlier run (%s)", len(items), spill.path.name)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Record | Rejected | RawPage | Failed | Skipped):
            if not self.buffer:
                self.buffer_since = time.monotonic()
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size or time.monotonic() - self.buffer_since >= self.max_wait:
                await self._flush()
        return item

    async def _flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        assert self.writer is not None
        self._count(await self.writer.write(batch))
        if self.shared_frontier:  # their leases in the shared frontier end (crawler.frontier)
            self.crawler.signals.send_catch_log(signal=items_stored, urls=[getattr(i, "url", None) for i in batch])
        if self.writer.fell_back and not self.crawler.stats.get_value("newscrawl/store_process_lost"):
            self.crawler.stats.set_value("newscrawl/store_process_lost", True)
            logger.warning("%s: storing in the crawl process from now on (nothing is lost)", self.writer.fell_back)
        if self.disk_full and not self.crawler.stats.get_value("newscrawl/closing_disk_full"):
            self.crawler.stats.set_value("newscrawl/closing_disk_full", True)
            logger.error("the disk is full: stopping the crawl (items that could not be stored are counted)")
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="disk_full"))

    def _count(self, result: BatchResult) -> None:
        """Log and count what writing a batch did (wherever it was written)."""
        stats = self.crawler.stats
        for message in result.errors:
            logger.error("%s", message)
        if result.store_errors:
            stats.inc_value("newscrawl/store_errors", result.store_errors)
        if result.spilled:
            stats.inc_value("newscrawl/spilled", result.spilled)
        self.disk_full = self.disk_full or result.disk_full
        for outcome in result.outcomes:
            if outcome == "raw":
                stats.inc_value("newscrawl/raw_pages")
            else:
                stats.inc_value(f"newscrawl/items_{outcome}")

    async def close_spider(self, spider: Any = None) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        await self._flush()
        if self.idle_flushes:  # a batch written on idle: its outcomes count in this run's row
            await asyncio.gather(*self.idle_flushes)
        if self.writer is not None:
            self.writer.close()
        if self.repo is None or self.run_id is None:
            return
        stats = self.crawler.stats
        get = lambda key: int(stats.get_value(key, 0) or 0)  # noqa: E731
        errors = get("newscrawl/store_errors") + get("log_count/ERROR")
        code, why = verdict(stats.get_stats(), stats.get_value("finish_reason") or "finished")
        status = STATUS[code]  # "unreachable" when nothing could be fetched: see crawler.exitcodes
        if code != EXIT_OK:
            logger.warning("run %s %s: %s", self.run_id, status, why)
        # Unchanged: stored before and the same now, whether re-fetched, answered 304 or not
        # fetched at all because nothing said it changed.
        unchanged = get("newscrawl/items_unchanged") + get("newscrawl/not_modified") + get("newscrawl/skipped_known")
        counts = {"pages": get("response_received_count"), "items_new": get("newscrawl/items_new"),
                  "items_updated": get("newscrawl/items_updated"), "items_unchanged": unchanged,
                  "items_duplicate": get("newscrawl/items_duplicate"),
                  "items_rejected": get("newscrawl/items_rejected"), "items_failed": get("newscrawl/items_failed"),
                  "items_skipped": get("newscrawl/items_skipped"), "errors": errors}
        try:
            self.repo.finish_run(self.run_id, status, counts)
        except Exception as exc:
            logger.error("could not record the end of run %s: %s", self.run_id, exc)
            stats.inc_value("newscrawl/store_errors")
