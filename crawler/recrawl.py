"""The re-crawl policy: which known URLs to skip and which to re-fetch
conditionally, and the log of this run's fetches, written in batches off the reactor.

Decisions (incremental re-crawls and ``--resume``), from what the database holds when the
run starts: the fetch log and, for a crawl killed before its fetch log was saved, the stored
articles themselves (written with their records, so nothing stored is fetched again):
- a URL never fetched, or fetched but never stored: fetch;
- a URL whose sitemap lastmod / feed date is newer than its last fetch: fetch again,
  conditionally (If-None-Match / If-Modified-Since);
- a URL older than the profile's refresh window: fetch again, conditionally;
- otherwise skip it (counted as ``newscrawl/skipped_known``).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from crawler.parsing.urls import canonicalize
from storage.crawlstate import Seen, load_seen, save_fetches, stored_urls

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RecrawlPolicy:
    """Seen URLs loaded at start, fetches of this run buffered and saved in batches."""

    def __init__(self, engine: Engine | None, site: str | None, refresh_hours: float | None = None,
                 batch: int = 200) -> None:
        self.engine = engine
        self.site = site
        self.refresh = timedelta(hours=refresh_hours) if refresh_hours else None
        self.batch = batch
        self.seen: dict[str, Seen] = load_seen(engine) if engine is not None else {}
        if engine is not None:  # what was stored, whether or not its fetch made it to the log
            for url, canonical, last_seen in stored_urls(engine):
                for key in {canonicalize(url), canonical}:
                    if key not in self.seen:
                        self.seen[key] = Seen(last_seen, None, None, None)
        self.buffer: list[dict[str, Any]] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-fetchlog")
        self.failed = 0

    def decide(self, url: str, listed_at: datetime | None = None) -> tuple[bool, dict[str, str]]:
        """(fetch?, conditional headers) for an article candidate."""
        seen = self.seen.get(canonicalize(url))
        if seen is None:
            return True, {}
        newer = listed_at is not None and listed_at > seen.fetched_at
        stale = self.refresh is not None and _now() - seen.fetched_at > self.refresh
        if not (newer or stale):
            return False, {}
        headers = {}
        if seen.etag:
            headers["If-None-Match"] = seen.etag
        if seen.last_modified:
            headers["If-Modified-Since"] = seen.last_modified
        return True, headers

    def fetched(self, url: str, status: int, headers: Any, canonical_url: str | None,
                listed_at: datetime | None = None) -> None:
        """Remember one fetch of an article page (saved with the next batch)."""
        def header(name: bytes) -> str | None:
            value = headers.get(name) if headers is not None else None
            return value.decode("latin-1")[:500] if value else None

        self.buffer.append({"url": canonicalize(url), "fetched_at": _now(), "status": status,
                            "etag": header(b"ETag"), "last_modified": header(b"Last-Modified"),
                            "listed_at": listed_at, "site": self.site, "canonical_url": canonical_url})
        if len(self.buffer) >= self.batch:
            self.flush(wait=False)

    def flush(self, wait: bool = True) -> None:
        """Save buffered fetches on the writer thread (``wait`` blocks until saved)."""
        rows, self.buffer = self.buffer, []
        if not rows or self.engine is None:
            return
        future = self.executor.submit(self._save, rows)
        if wait:
            future.result()

    def _save(self, rows: list[dict[str, Any]]) -> None:
        try:
            save_fetches(self.engine, rows)
        except Exception as exc:  # losing fetch state only costs a re-fetch next run; say so
            self.failed += len(rows)
            logger.warning("could not save the fetch state of %d URLs (they will be fetched again): %s",
                           len(rows), exc)

    def close(self) -> None:
        self.flush(wait=True)
        self.executor.shutdown(wait=True)
