"""Crawl progress on a terminal, and JSON logs for schedulers.

``ProgressExtension`` redraws one status line on stderr every second (pages, items by
outcome, rate, failures) when NEWSCRAWL_PROGRESS is on; the CLI turns it on only when stderr
is a terminal and ``--quiet`` is not given, so logs stay clean under cron. ``JsonFormatter``
renders every log record as one JSON object per line (``--log-format json``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured


class ProgressExtension:
    """One self-updating status line for a crawl on a terminal."""

    def __init__(self, crawler: Any, interval: float = 1.0) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        if not crawler.settings.getbool("NEWSCRAWL_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any = None) -> None:
        from twisted.internet import task

        self.started = time.monotonic()
        self.task = task.LoopingCall(self.draw)
        self.task.start(self.interval, now=False)

    def line(self) -> str:
        stats = self.crawler.stats.get_stats()
        get = lambda key: int(stats.get(key, 0) or 0)  # noqa: E731
        pages = get("response_received_count")
        rate = pages / max(0.001, time.monotonic() - self.started)
        return (f"pages {pages} ({rate:.1f}/s) · new {get('newscrawl/items_new')} · updated "
                f"{get('newscrawl/items_updated')} · duplicate {get('newscrawl/items_duplicate')} · rejected "
                f"{get('newscrawl/items_rejected')} · failed {get('newscrawl/failed')} · known "
                f"{get('newscrawl/skipped_known')}")

    def draw(self) -> None:
        sys.stderr.write("\r\x1b[2K" + self.line())
        sys.stderr.flush()

    def closed(self, spider: Any = None, reason: str | None = None) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.draw()
        sys.stderr.write("\n")
        sys.stderr.flush()


class JsonFormatter(logging.Formatter):
    """``{"time": ..., "level": ..., "logger": ..., "message": ...}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def use_json_logs(level: str = "INFO") -> None:
    """Log JSON lines to stderr from the root logger (used with LOG_ENABLED = False, so
    Scrapy adds no text handler of its own)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
