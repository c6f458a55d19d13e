"""Garbage-collector settings for long crawls (the crawl, store and parse worker processes).

Why: CPython's cyclic collector runs a young-generation pass every 700 net container
allocations and, every 100 of those, a full pass over every tracked object. A crawl keeps
tens of thousands of long-lived objects (Scrapy's and Twisted's machinery, the imported
modules, the scheduler's requests), so each full pass re-scans all of them for nothing.
Measured on the 5,000-page benchmark crawl (``gc.callbacks`` timing, fast profile): the crawl
process spent 2.1-2.3 s of its ~13 s of CPU in the collector (11 full passes, the longest
160 ms, during which no response is handled and the parse workers run dry); the store
process 0.32 s of its 3.9 s.

What: once the process is up, ``tune`` collects, then ``gc.freeze()`` moves every survivor
(imports, settings, the engine) into the permanent generation that no pass scans, and raises
the thresholds (NEWSCRAWL_GC_THRESHOLD, default ``(10000, 20, 20)``). Reference counting
still frees every acyclic object at once; only cyclic garbage (a Twisted Failure and its
traceback, say) waits longer, at most a few ten thousand young objects. Peak RSS of the
20,000-page benchmark is unchanged by it (see the README's Scaling table). Measured after:
0.13 s of collector time per 5,000 pages in the crawl process, the longest pause 34 ms.
The parse workers (``crawler.speed.parsepool``) get the same settings once their parser is
imported: their young-generation passes over each page's short-lived objects took 2.3% of
a worker's CPU on the bench site's pages (99 passes per 300 pages, ``gc.callbacks`` timing).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

DEFAULT_THRESHOLD = (10_000, 20, 20)


def parse_threshold(value: Any) -> tuple[int, ...] | None:
    """NEWSCRAWL_GC_THRESHOLD as a tuple: a sequence or "a,b,c" string of 1-3 positive ints;
    None, "", "off" or "default" keep Python's own thresholds."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "off", "default", "none")):
        return None
    problem = ValueError(f"NEWSCRAWL_GC_THRESHOLD must be 1-3 positive integers, e.g. 10000,20,20; got {value!r}")
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        numbers = tuple(int(str(part).strip()) for part in parts)
    except ValueError:
        raise problem from None
    if not 1 <= len(numbers) <= 3 or any(n <= 0 for n in numbers):
        raise problem
    return numbers


def threshold_setting(settings: Any) -> tuple[int, ...] | None:
    """NEWSCRAWL_GC_THRESHOLD from Scrapy settings (the default when unset), parsed."""
    return parse_threshold(settings.get("NEWSCRAWL_GC_THRESHOLD", DEFAULT_THRESHOLD))


def tune(threshold: Sequence[int] = DEFAULT_THRESHOLD) -> Callable[[], None]:
    """Collect, freeze the survivors and raise the thresholds; returns the function that puts
    the collector back as it was (unfrozen, the old thresholds)."""
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*threshold)

    def restore() -> None:
        gc.unfreeze()
        gc.set_threshold(*previous)

    return restore


class GcTuningExtension:
    """Applies ``tune`` when the engine has started (everything a crawl keeps for its whole
    life exists by then) and restores the collector when the spider closes, so a process that
    runs more (tests, a scheduler) is left as it was."""

    def __init__(self, threshold: tuple[int, ...], stats: Any = None) -> None:
        self.threshold = threshold
        self.stats = stats
        self.restore: Callable[[], None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> GcTuningExtension:
        # Scrapy is imported here, not at the top: the store process imports this module, and
        # Scrapy would cost it ~25 MB of RSS for nothing (measured: 111 MB instead of 85).
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        threshold = threshold_setting(crawler.settings)
        if threshold is None:
            raise NotConfigured
        ext = cls(threshold, crawler.stats)
        crawler.signals.connect(ext.started, signal=signals.engine_started)
        crawler.signals.connect(ext.stopped, signal=signals.engine_stopped)
        return ext

    def started(self) -> None:
        if self.restore is None:
            self.restore = tune(self.threshold)
            if self.stats is not None:  # how many objects no collection scans any more
                self.stats.set_value("newscrawl/gc_frozen", gc.get_freeze_count())

    def stopped(self) -> None:
        if self.restore is not None:
            self.restore()
            self.restore = None
