"""Item pipelines: validate -> clean -> store (thin: the work lives in parsing/ and storage/).

Nothing is dropped silently: a record that fails validation becomes a ``Rejected`` outcome
and is stored in the rejects table with its reason. Writes are batched and run on one
worker thread so a slow commit never blocks the reactor; each batch commits the records
together with their URLs' crawl state.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from crawler.parsing import MIN_BODY_CHARS
from crawler.parsing.clean import normalize_blocks, normalize_text, text_weight
from crawler.parsing.record import Record
from storage.db import connect
from storage.repository import Rejected, Repository

logger = logging.getLogger(__name__)

REQUIRED = ("url", "canonical_url", "site", "title", "body_text", "fetched_at")


def validation_error(record: Record) -> str | None:
    """Why ``record`` cannot be stored as an article, or None when it can."""
    for name in REQUIRED:
        if not getattr(record, name):
            return f"missing {name}"
    if text_weight(record.body_text) < MIN_BODY_CHARS:
        return f"body too short ({len(record.body_text)} chars)"
    if "\ufffd" in record.title or record.body_text.count("\ufffd") > 5:
        return "undecodable text (replacement characters)"
    return None


class ValidatePipeline:
    """Turns invalid records into Rejected outcomes with the reason."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Record) and (reason := validation_error(item)):
            return Rejected(item.url, f"invalid: {reason}")
        return item


class CleanPipeline:
    """Normalises every text field (NFC, invisible characters removed, spaces collapsed)."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Record):
            return item
        item.title = normalize_text(item.title)
        item.body_text = normalize_blocks(item.body_text)
        item.summary = normalize_text(item.summary) or None
        item.authors = [a for a in (normalize_text(a) for a in item.authors) if a]
        item.tags = [t for t in (normalize_text(t) for t in item.tags) if t]
        return item


class StorePipeline:
    """Batches records and rejects into the database and keeps the run's counts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_url = crawler.settings.get("NEWSCRAWL_DB")
        self.batch_size = crawler.settings.getint("NEWSCRAWL_BATCH_SIZE", 100)
        self.buffer: list[Record | Rejected] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-store")
        self.repo: Repository | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.repo = Repository(connect(self.db_url))
        spider = spider or self.crawler.spider
        self.run_id = self.repo.start_run(spider.name, getattr(getattr(spider, "options", None), "site", None),
                                          {"start_urls": list(getattr(spider, "start_urls", []))})
        self.crawler.stats.set_value("newscrawl/run_id", self.run_id)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Record | Rejected):
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                await self._flush()
        return item

    async def _flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        future = self.executor.submit(self._write, batch)
        await asyncio.wrap_future(future)

    def _write(self, batch: list[Record | Rejected]) -> None:
        stats = self.crawler.stats
        assert self.repo is not None
        try:
            outcomes = self.repo.store_batch(batch, self.run_id)
        except Exception as exc:  # the run must fail loudly, never report these as stored
            logger.error("could not store a batch of %d items: %s", len(batch), exc)
            stats.inc_value("newscrawl/store_errors", len(batch))
            return
        for outcome in outcomes:
            stats.inc_value(f"newscrawl/items_{outcome}")

    async def close_spider(self, spider: Any = None) -> None:
        await self._flush()
        self.executor.shutdown(wait=True)
        if self.repo is None or self.run_id is None:
            return
        stats = self.crawler.stats
        get = lambda key: int(stats.get_value(key, 0) or 0)  # noqa: E731
        errors = get("newscrawl/store_errors") + get("log_count/ERROR")
        reason = stats.get_value("finish_reason") or "finished"
        status = "finished" if reason == "finished" and not get("newscrawl/store_errors") else "failed"
        counts = {"pages": get("response_received_count"), "items_new": get("newscrawl/items_new"),
                  "items_updated": get("newscrawl/items_updated"), "items_unchanged": get("newscrawl/items_unchanged"),
                  "items_duplicate": get("newscrawl/items_duplicate"),
                  "items_rejected": get("newscrawl/items_rejected"), "errors": errors}
        try:
            self.repo.finish_run(self.run_id, status, counts)
        except Exception as exc:
            logger.error("could not record the end of run %s: %s", self.run_id, exc)
            stats.inc_value("newscrawl/store_errors")
