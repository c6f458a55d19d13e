"""The parse pool as a Scrapy extension: the crawl owns it, the spider only uses it.

The spider used to build the pool in ``from_crawler`` and close it on ``spider_closed``,
which made it own processes it has no business with. Here the pool is created when Scrapy
builds its extensions (from NEWSCRAWL_PARSE_WORKERS and NEWSCRAWL_PARSE_TIMEOUT; the
workers spawn at once, so they import while the crawl starts) and closed when the spider
closes; the spider fetches it with Scrapy's public ``crawler.get_extension``. A crawl whose
settings leave this extension out still works: the spider then parses inline.

A module of its own because it imports Scrapy, which the parse workers (importing
``crawler.speed.parsepool``) must not.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from crawler.speed.gctune import threshold_setting
from crawler.speed.parsepool import ParsePool


class ParsePoolExtension:
    """Holds the crawl's ``ParsePool`` (``.pool``) from start-up to the spider's close."""

    def __init__(self, workers: int, timeout: float | None, gc_threshold: tuple[int, ...] | None = None) -> None:
        self.pool = ParsePool(workers, timeout=timeout, gc_threshold=gc_threshold)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ParsePoolExtension:
        ext = cls(crawler.settings.getint("NEWSCRAWL_PARSE_WORKERS"),
                  crawler.settings.getfloat("NEWSCRAWL_PARSE_TIMEOUT"),
                  threshold_setting(crawler.settings))
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def closed(self, spider: Any = None) -> None:
        self.pool.close()
