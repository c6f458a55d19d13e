"""One measured crawl, run in its own process by ``benchmarks.bench_throughput``.

Why a process per crawl: Twisted's reactor cannot be restarted in a process, and the peak
RSS of a process only ever grows, so each variant gets a fresh interpreter and its own
numbers. Interpreter start-up and imports are left out of every figure: pages/s comes from
Scrapy's own ``elapsed_time_seconds``, CPU from ``getrusage`` deltas around the crawl.

Variants:

* ``bare``: a stock ``SitemapSpider`` with an empty callback, with newscrawl's ``fast``
  profile and its base settings (asyncio reactor, no telnet/remote control, robots.txt,
  the meta-refresh shortcut).
  The ceiling: what Scrapy itself can fetch here with the same tuning.
* ``naive``: what a user would write first: Scrapy's default settings except the same
  concurrency, ``trafilatura.extract`` in the callback, and a pipeline doing one INSERT and
  one commit per item into SQLite through the SQLAlchemy ORM.
* ``full``: ``crawler.runner.run_crawl`` with the ``fast`` profile into a fresh SQLite file,
  called exactly as a user calls it.

A sampler thread reads VmRSS (self plus any child processes, e.g. a parse pool) and the
crawler's response count every 50 ms, so memory can be reported at fixed page counts. It
walks /proc for new children only once a second: at 20 ms with a walk each time it took
~2% of the samples in a py-spy profile of the full run.

Run: ``python -m benchmarks.throughput_run --mode full --sitemap URL --pages N --db PATH --out JSON``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Scrapy is imported inside the functions, not here: the parse workers are spawned, and a
# spawned process imports the parent's main module (this one, as __mp_main__). Importing
# Scrapy and Twisted at the top cost each worker ~30 MB of RSS (measured) that a crawl run
# by the ``newscrawl`` command does not pay, so the benchmark would measure itself.

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# --- process accounting -----------------------------------------------------------------------


def _status_kb(pid: int | str, field: str) -> int:
    """A ``kB`` field of /proc/<pid>/status (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int | str) -> int:
    """Resident set size of a process in kB (0 when it is gone): /proc/<pid>/statm's second
    field, the same counters as VmRSS in /proc/<pid>/status, in one short line. The sampler
    reads it for every process twenty times a second, and parsing the status file's fifty
    lines was most of what the sampler cost the measured crawl process."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE // 1024
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    """Descendants of ``pid`` (children of every thread, recursively)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids = [int(k) for k in handle.read().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_children(kid)]
    return found


def cpu_seconds(pid: int | str, reaped: bool = False) -> float:
    """user+sys of a live process from /proc/<pid>/stat; with ``reaped``, plus what its
    exited children used (a PostgreSQL backend's time lands in the postmaster's)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15 if reaped else 13]) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


class Sampler(threading.Thread):
    """Follows RSS (this process + descendants) against the crawler's response count."""

    def __init__(self, thresholds: list[int], interval: float = 0.05) -> None:
        super().__init__(daemon=True, name="bench-sampler")
        self.thresholds = sorted(set(t for t in thresholds if t > 0))
        self.interval = interval
        self.crawler: Crawler | None = None
        self.samples: dict[int, float] = {}
        self.samples_main: dict[int, float] = {}  # the crawl process alone, MB
        self.samples_children: dict[int, list[float]] = {}  # each parse worker, MB
        self.peak_total_kb = 0
        self.peak_main_kb = 0
        self.peak_children_kb = 0
        self.last_main_kb = 0
        self.last_children_kb: list[int] = []
        self.child_cpu: dict[int, float] = {}
        self.child_peak_kb: dict[int, int] = {}
        self.series: list[tuple[float, int, float]] = []  # (seconds, responses, rss MB) once a second
        self.error: str | None = None
        self._kids: list[int] = []
        self._ticks = 0
        self._halt = threading.Event()

    def responses(self) -> int:
        try:  # Scrapy 2.19 raises until the crawl has started
            stats = self.crawler.stats if self.crawler is not None else None
        except RuntimeError:
            return 0
        return int(stats.get_value("response_received_count", 0) or 0) if stats is not None else 0

    def rss_kb(self) -> int:
        """RSS of this process plus its descendants (each part kept in ``last_*``)."""
        main = _rss_kb("self")
        self._ticks += 1
        if self._ticks % 20 == 1:  # walking /proc for new children is the costly part: once a second
            self._kids = _children(os.getpid())
        kids = []
        for kid in self._kids:
            kids.append(_rss_kb(kid))
            self.child_cpu[kid] = max(self.child_cpu.get(kid, 0.0), cpu_seconds(kid))
            self.child_peak_kb[kid] = max(self.child_peak_kb.get(kid, 0), kids[-1])
        self.last_main_kb, self.last_children_kb = main, [k for k in kids if k]
        self.peak_main_kb = max(self.peak_main_kb, main)
        self.peak_children_kb = max(self.peak_children_kb, sum(kids))
        return main + sum(kids)

    def sample(self) -> int:
        """Take one reading; returns the RSS in kB."""
        rss = self.rss_kb()
        self.peak_total_kb = max(self.peak_total_kb, rss)
        count = self.responses()
        for threshold in self.thresholds:
            if count >= threshold and threshold not in self.samples:
                self.samples[threshold] = rss / 1024
                self.samples_main[threshold] = self.last_main_kb / 1024
                self.samples_children[threshold] = [k / 1024 for k in self.last_children_kb]
        return rss

    def run(self) -> None:
        start = last = time.monotonic()
        while not self._halt.wait(self.interval):
            try:
                rss = self.sample()
            except Exception as exc:  # noqa: BLE001 - reported in the result, never kills the sampler
                self.error = self.error or f"{type(exc).__name__}: {exc}"
                continue
            now = time.monotonic()
            if now - last >= 1.0:  # a coarse time series, for looking at growth afterwards
                last = now
                self.series.append((round(now - start, 1), self.responses(), round(rss / 1024, 1)))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)
        self.sample()  # a crawl that ends between two samples still gets its last threshold


def track_crawlers(sampler: Sampler) -> None:
    """Hand every Crawler created in this process to the sampler.

    Why patch instead of adding an extension: ``full`` must be measured through
    ``run_crawl`` exactly as users call it, with no benchmark-only settings."""
    from scrapy.crawler import Crawler

    original = Crawler.__init__

    def init(self: Crawler, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        sampler.crawler = self

    Crawler.__init__ = init  # type: ignore[method-assign]


# --- the variants -----------------------------------------------------------------------------


def bare_spider() -> type:
    """A stock ``SitemapSpider`` that fetches everything the sitemap lists and does nothing with it."""
    from scrapy.spiders import SitemapSpider

    class BareSpider(SitemapSpider):
        name = "bench_bare"

        def parse(self, response: Any, **kwargs: Any) -> None:
            return None

    return BareSpider


def bare_settings() -> dict[str, Any]:
    """newscrawl's fast profile plus the base settings that matter for speed."""
    from crawler import settings as project

    return {
        **project.PRESETS["fast"],
        "ROBOTSTXT_OBEY": project.PRESETS["fast"].get("ROBOTSTXT_OBEY", project.ROBOTSTXT_OBEY),
        "TWISTED_REACTOR": project.TWISTED_REACTOR,
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        # The same meta-refresh shortcut as newscrawl (a middleware, so a user's bare crawl
        # could have it too): without it the ceiling would pay a decode of every body that
        # the full crawl no longer pays, and the ratio would flatter newscrawl.
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "crawler.middlewares.QuickMetaRefreshMiddleware": 580,
        },
    }


class NaiveStorePipeline:
    """One ORM INSERT and one commit per item, as in most tutorials."""

    def __init__(self, db_url: str) -> None:
        from sqlalchemy import Column, Integer, String, Text, create_engine
        from sqlalchemy.orm import declarative_base, sessionmaker

        base = declarative_base()

        class Article(base):  # type: ignore[valid-type, misc]
            __tablename__ = "articles"
            id = Column(Integer, primary_key=True)
            url = Column(String, unique=True)
            title = Column(String)
            author = Column(String)
            date = Column(String)
            text = Column(Text)

        self.model = Article
        engine = create_engine(db_url)
        base.metadata.create_all(engine)
        self.session = sessionmaker(bind=engine)()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NaiveStorePipeline:
        return cls(crawler.settings.get("BENCH_NAIVE_DB"))

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        self.session.add(self.model(**item))
        self.session.commit()
        return item

    def close_spider(self, spider: Any = None) -> None:
        self.session.close()


def naive_spider() -> type:
    """trafilatura in the callback: title, author, date and text of every page."""
    from scrapy.spiders import SitemapSpider

    class NaiveSpider(SitemapSpider):
        name = "bench_naive"

        def parse(self, response: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
            import trafilatura

            extracted = trafilatura.extract(response.text, url=response.url, output_format="json",
                                            with_metadata=True)
            if extracted:
                doc = json.loads(extracted)
                yield {"url": response.url, "title": doc.get("title"), "author": doc.get("author"),
                       "date": doc.get("date"), "text": doc.get("text")}

    return NaiveSpider


def naive_settings(db_path: Path) -> dict[str, Any]:
    """Scrapy's defaults, except the concurrency of the fast profile (and the pipeline)."""
    from crawler import settings as project

    fast = project.PRESETS["fast"]
    return {
        "CONCURRENT_REQUESTS": fast["CONCURRENT_REQUESTS"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": fast["CONCURRENT_REQUESTS_PER_DOMAIN"],
        "ITEM_PIPELINES": {f"{__name__}.NaiveStorePipeline": 300},
        "BENCH_NAIVE_DB": f"sqlite:///{db_path}",
    }


def crawl_with(spider: type, settings: dict[str, Any], sitemap: str) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, sitemap_urls=[sitemap])
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}


def count_rows(db_path: Path, table: str = "articles") -> int | None:
    if not db_path.exists():
        return None
    with sqlite3.connect(db_path) as conn:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.Error:
            return None


def rss_thresholds(pages: int) -> list[int]:
    """5k, 10k and 20k pages, as the targets are stated; N/4, N/2 and N on smaller sites."""
    if pages >= 20_000:
        return sorted({5_000, 10_000, 20_000, pages})
    return [max(1, pages // 4), max(1, pages // 2), pages]


def run(mode: str, sitemap: str, pages: int, db_path: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one variant and return its measurements; ``extra`` settings override the full
    crawl's (``--set``, to measure one change against the same build)."""
    sampler = Sampler(rss_thresholds(pages))
    track_crawlers(sampler)
    settings: dict[str, Any] = {}
    sampler.start()
    usage_self = resource.getrusage(resource.RUSAGE_SELF)
    usage_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic()
    if mode == "bare":
        settings = bare_settings()
        stats = crawl_with(bare_spider(), settings, sitemap)
    elif mode == "naive":
        settings = naive_settings(db_path)
        stats = crawl_with(naive_spider(), settings, sitemap)
    elif mode == "full":
        from crawler.runner import run_crawl

        overrides = {"LOG_LEVEL": "WARNING", **(extra or {})}
        settings = {"profile": "fast", "overrides": overrides, "db": f"sqlite:///{db_path}"}
        stats = run_crawl([sitemap], f"sqlite:///{db_path}", preset="fast", overrides=overrides).stats
    else:
        raise ValueError(f"unknown mode {mode!r}")
    wall = time.monotonic() - wall
    sampler.stop()
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_self = (after_self.ru_utime - usage_self.ru_utime) + (after_self.ru_stime - usage_self.ru_stime)
    reaped = (after_kids.ru_utime - usage_kids.ru_utime) + (after_kids.ru_stime - usage_kids.ru_stime)
    # Children reaped during the crawl show up in RUSAGE_CHILDREN; ones still alive (a pool
    # kept for reuse) only in the sampler's /proc readings. Take whichever saw more.
    cpu_kids = max(reaped, sum(sampler.child_cpu.values()))
    responses = int(stats.get("response_received_count", 0) or 0)
    elapsed = float(stats.get("elapsed_time_seconds", 0) or 0) or wall
    peak_self = max(after_self.ru_maxrss, _status_kb("self", "VmHWM"))
    result: dict[str, Any] = {
        "mode": mode,
        "pages_per_s": round(responses / elapsed, 1) if elapsed else 0.0,
        "responses": responses,
        "elapsed_s": round(elapsed, 2),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu_self + cpu_kids, 2),
        "cpu_children_s": round(cpu_kids, 2),
        "cpu_percent": round(100 * (cpu_self + cpu_kids) / wall, 1) if wall else 0.0,
        "cpu_ms_per_page": round(1000 * (cpu_self + cpu_kids) / responses, 2) if responses else None,
        "peak_rss_mb": round(max(peak_self, sampler.peak_total_kb) / 1024, 1),
        "rss_samples": {str(k): round(v, 1) for k, v in sorted(sampler.samples.items())},
        "rss_series": sampler.series,
        # The same readings split: the crawl process alone, and each child (parse worker).
        "peak_main_rss_mb": round(sampler.peak_main_kb / 1024, 1),
        "peak_children_rss_mb": round(sampler.peak_children_kb / 1024, 1),
        "rss_main_samples": {str(k): round(v, 1) for k, v in sorted(sampler.samples_main.items())},
        "rss_children_samples": {str(k): [round(c, 1) for c in v] for k, v in sorted(sampler.samples_children.items())},
        # Each child's CPU seconds and peak RSS (MB), most CPU first: the parse workers, the
        # store process and multiprocessing's resource tracker, told apart by their share.
        "children": [[round(cpu, 2), round(sampler.child_peak_kb.get(pid, 0) / 1024, 1)]
                     for pid, cpu in sorted(sampler.child_cpu.items(), key=lambda kv: -kv[1])],
        "sampler_error": sampler.error,
        "finish_reason": stats.get("finish_reason"),
        "settings": settings,
        "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)},
    }
    if mode in ("naive", "full"):
        result["stored"] = count_rows(db_path)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one measured crawl (see module docstring)")
    parser.add_argument("--mode", choices=("bare", "naive", "full"), required=True)
    parser.add_argument("--sitemap", required=True)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy/newscrawl setting for the full crawl (repeatable), e.g. "
                             "NEWSCRAWL_STORE_PROCESS=False to measure one change against the same build")
    args = parser.parse_args(argv)
    extra = {}
    for pair in args.set:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            parser.error(f"--set takes NAME=VALUE, not {pair!r}")
        extra[name] = value
    result = run(args.mode, args.sitemap, args.pages, args.db, extra)
    args.out.write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
