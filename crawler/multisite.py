"""Many sites in one crawl process: ``newscrawl crawl SITE SITE ...`` and grouped ``schedule`` jobs.

Each site is a Scrapy crawler of its own inside one ``CrawlerProcess`` (one reactor, one
Python process): its own spider, settings, stats, downloader slots, robots.txt cache,
crawl lock and run record, so one site's failure (down, unreachable, locked) never touches
another site's run, and per-site politeness comes from Scrapy's own mechanisms:

- the profile's ``[politeness] delay`` and ``concurrency`` are the crawler's
  ``DOWNLOAD_DELAY`` / ``CONCURRENT_REQUESTS_PER_DOMAIN`` and, for the site's hosts, a
  ``DOWNLOAD_SLOTS`` entry without jitter (Scrapy otherwise waits 0.5x-1.5x the delay,
  and half the delay is not what the profile promised);
- robots.txt is fetched, cached and obeyed per host by each crawler's robots middleware.

What the sites share: the process, the database (every crawler stores into the same one)
and one global limit on requests in flight, ``CONCURRENT_REQUESTS`` of the command line: a
download handler (``crawler.gate``) takes a place from one process-wide semaphore
before each download and gives it back after, so 200 sites with 2 requests each never
put 400 requests on the wire. Memory (and database connections) are bounded by
``NEWSCRAWL_SITES_AT_ONCE``: at most that many site crawlers exist at a time (default 50,
12 on PostgreSQL, where each holds about 5 connections); the next site starts when one
finishes.

Exit code (``worst_code``): 0 only when every site's run did its work; otherwise the most
serious per-site code: 1 (lost), then 3 (unreachable), then 65 (drift, with
``--fail-on-drift``), then 75 (locked).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from twisted.internet import defer
from twisted.python.failure import Failure

from crawler.exitcodes import EXIT_DRIFT, EXIT_LOCKED, EXIT_LOST, EXIT_OK, EXIT_UNREACHABLE
from crawler.lock import AlreadyRunning, SiteLock
from crawler.profiles import SiteProfile
from crawler.runner import CrawlResult, apply_profile, build_settings, use_json_logs_if_asked

logger = logging.getLogger(__name__)

DEFAULT_SITES_AT_ONCE = 50
# PostgreSQL: a site being crawled holds about 5 connections (its store's pool, its URL-state
# reads, its advisory lock; measured: 16 sites peaked at 83), so 12 stay under the server's
# default max_connections of 100 with room for other clients.
DEFAULT_SITES_AT_ONCE_POSTGRES = 12
# most serious first: what a run of several sites exits with
SEVERITY = (EXIT_LOST, EXIT_UNREACHABLE, EXIT_DRIFT, EXIT_LOCKED)


@dataclass
class SiteRun:
    """One site's part of a multi-site crawl: its result, or why it did not run."""

    profile: SiteProfile
    result: CrawlResult | None = None
    locked: str | None = None  # the lock holder's message when another crawl of the site runs
    error: str | None = None  # the site's crawler could not be started
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def exit_code(self) -> int:
        if self.locked is not None:
            return EXIT_LOCKED
        if self.error is not None or self.result is None:
            return EXIT_LOST
        return self.result.exit_code

    @property
    def why(self) -> str:
        if self.locked is not None:
            return self.locked
        if self.error is not None or self.result is None:
            return self.error or "the crawl did not run"
        return self.result.why


def worst_code(codes: Sequence[int]) -> int:
    """The exit code of a run of several sites: 0 only if every site's is 0, else the most
    serious one (``SEVERITY``; an unknown non-zero code counts as most serious)."""
    bad = [c for c in codes if c != EXIT_OK]
    if not bad:
        return EXIT_OK
    for code in bad:
        if code not in SEVERITY:
            return code
    return min(bad, key=SEVERITY.index)


def site_settings(profile: SiteProfile, db_url: str, preset: str, overrides: dict[str, Any]) -> Any:
    """One site's crawler settings: the run's, then the profile's politeness and depth."""
    settings = build_settings(db_url, preset, overrides)
    apply_profile(settings, profile)
    delay = settings.getfloat("DOWNLOAD_DELAY")
    concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
    for host in profile.hosts:
        slots.setdefault(host, {"delay": delay, "concurrency": concurrency, "jitter": 0})
    settings.set("DOWNLOAD_SLOTS", slots, priority="cmdline")
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"),
                                       "http": "crawler.gate.GatedDownloadHandler",
                                       "https": "crawler.gate.GatedDownloadHandler"}, priority="cmdline")
    settings.set("NEWSCRAWL_PROGRESS", False, priority="cmdline")  # one progress line per site would garble
    if "NEWSCRAWL_PARSE_WORKERS" not in overrides:
        # parse workers are per crawler: 200 sites x N worker processes is no bounded memory
        settings.set("NEWSCRAWL_PARSE_WORKERS", 0, priority="cmdline")
    return settings


# --- running ------------------------------------------------------------------------------------

def run_sites(profiles: Sequence[SiteProfile], db_url: str, preset: str = "polite",
              overrides: dict[str, Any] | None = None, spider_args: dict[str, Any] | None = None,
              on_done: Callable[[SiteRun], None] | None = None) -> list[SiteRun]:
    """Crawl every profile in this process, at most ``NEWSCRAWL_SITES_AT_ONCE`` at a time;
    blocks until all are done. ``on_done`` is called as each site finishes (its summary line)."""
    overrides = dict(overrides or {})
    base = build_settings(db_url, preset, overrides)
    postgres = db_url.startswith(("postgresql", "postgres"))
    at_once = base.getint("NEWSCRAWL_SITES_AT_ONCE") or (DEFAULT_SITES_AT_ONCE_POSTGRES if postgres
                                                         else DEFAULT_SITES_AT_ONCE)
    overrides.setdefault("NEWSCRAWL_GLOBAL_CONCURRENCY", base.getint("CONCURRENT_REQUESTS"))
    if use_json_logs_if_asked(base):
        overrides["LOG_ENABLED"] = False
    from scrapy.utils.reactor import install_reactor

    install_reactor(base["TWISTED_REACTOR"])  # before anything imports the default one
    process = CrawlerProcess(base)
    runs = [SiteRun(p) for p in profiles]
    first = [True]

    def start(run: SiteRun) -> defer.Deferred[None]:
        lock = SiteLock(db_url, run.name)
        try:
            lock.acquire()
        except AlreadyRunning as exc:
            run.locked = str(exc)
            _done(run)
            return defer.succeed(None)
        try:
            from spiders.news import NewsSpider

            crawler = Crawler(NewsSpider, site_settings(run.profile, db_url, preset, overrides), init_reactor=first[0])
            first[0] = False
            crawling = process.crawl(crawler, profile=run.profile, **(spider_args or {}))
        except Exception as exc:  # noqa: BLE001 - one site's bad start is that site's failure
            lock.release()
            run.error = f"could not start: {exc}"
            _done(run)
            return defer.succeed(None)

        def finished(outcome: Any) -> None:
            lock.release()
            run.result = CrawlResult.of(crawler)
            if isinstance(outcome, Failure):
                run.error = f"crawl failed: {outcome.getErrorMessage()}"
            _done(run)

        crawling.addBoth(finished)
        return crawling

    def _done(run: SiteRun) -> None:
        if on_done is not None:
            try:
                on_done(run)
            except Exception:  # noqa: BLE001 - a report that fails must not stop the others
                logger.exception("reporting site %s failed", run.name)

    from twisted.internet import reactor

    semaphore = defer.DeferredSemaphore(at_once)
    everything = defer.DeferredList([semaphore.run(start, run) for run in runs], consumeErrors=True)
    everything.addBoth(lambda _: reactor.callLater(0, reactor.stop))  # type: ignore[attr-defined]
    process.start(stop_after_crawl=False)
    return runs
