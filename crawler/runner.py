"""Run a crawl in this process and report what it did.

The CLI, ``newscrawl demo`` and the tests all start crawls through ``run_crawl`` so the
settings (profile, database, log level) are applied the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.exitcodes import EXIT_OK, verdict
from crawler.profiles import SiteProfile


@dataclass(frozen=True)
class CrawlResult:
    """The end of a crawl: Scrapy's finish reason, the stats, and whether anything was lost."""

    finish_reason: str
    stats: dict[str, Any]

    @property
    def store_errors(self) -> int:
        return int(self.stats.get("newscrawl/store_errors", 0) or 0)

    @property
    def exit_code(self) -> int:
        """What the CLI exits with (``crawler.exitcodes``)."""
        return verdict(self.stats, self.finish_reason)[0]

    @property
    def why(self) -> str:
        return verdict(self.stats, self.finish_reason)[1]

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def count(self, outcome: str) -> int:
        return int(self.stats.get(f"newscrawl/items_{outcome}", 0) or 0)

    @classmethod
    def of(cls, crawler: Any) -> CrawlResult:
        """The result of a crawler whose crawl has ended."""
        stats = crawler.stats.get_stats() if crawler.stats else {}
        return cls(str(stats.get("finish_reason", "unknown")), stats)


def build_settings(db_url: str | None, preset: str = "polite", overrides: dict[str, Any] | None = None) -> Settings:
    """Project settings + the named preset + per-run overrides."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    if preset not in default_settings.PRESETS:
        raise ValueError(f"unknown preset {preset!r} (choose from {', '.join(default_settings.PRESETS)})")
    settings.setdict(default_settings.PRESETS[preset], priority="cmdline")
    if db_url:
        settings.set("NEWSCRAWL_DB", db_url, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def apply_profile(settings: Settings, profile: SiteProfile) -> None:
    """A site profile's politeness and depth over the run's settings."""
    if profile.delay is not None:
        settings.set("DOWNLOAD_DELAY", profile.delay, priority="cmdline")
    if profile.concurrency:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", profile.concurrency, priority="cmdline")
    if profile.max_depth:
        settings.set("DEPTH_LIMIT", profile.max_depth, priority="cmdline")


def use_json_logs_if_asked(settings: Settings) -> bool:
    """With NEWSCRAWL_LOG_FORMAT=json, our handler writes JSON lines and Scrapy installs none
    of its own; whether it was asked."""
    if settings.get("NEWSCRAWL_LOG_FORMAT") != "json":
        return False
    from crawler.progress import use_json_logs

    use_json_logs(settings.get("LOG_LEVEL", "INFO"))
    settings.set("LOG_ENABLED", False, priority="cmdline")
    return True


def redis_settings(redis_url: str, key: str) -> dict[str, Any]:
    """Settings that move the scheduler and the duplicate filter to Redis (scrapy-redis), so
    several processes share one frontier. The keys are per site; the last process deletes them."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Persist: with False, the first process to finish wipes the shared duplicate filter and
        # the others fetch everything again (FACTS.md). Cleanup is SharedFrontier's job.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor on an empty queue
        # at least once: a request a worker takes is leased until its outcome is stored (crawler.frontier)
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": f"newscrawl:{key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"newscrawl:{key}:dupefilter",
    }


def run_crawl(start_urls: list[str], db_url: str | None = None, preset: str = "polite", site: str | None = None,
              overrides: dict[str, Any] | None = None, follow: bool = True,
              site_profile: SiteProfile | None = None, articles: list[str] | None = None,
              since: datetime | None = None) -> CrawlResult:
    """Crawl from ``start_urls`` and/or a site profile into the database; blocks until the crawl ends."""
    settings = build_settings(db_url, preset, overrides)
    if site_profile is not None:
        apply_profile(settings, site_profile)
    use_json_logs_if_asked(settings)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    process.crawl(crawler, start_urls=start_urls, site=site, follow=follow, profile=site_profile, urls=articles,
                  since=since)
    process.start()
    return CrawlResult.of(crawler)
