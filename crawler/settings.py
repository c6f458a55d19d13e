"""Scrapy settings for newscrawl, and the named presets layered on top (``crawl --preset``).

A preset is a set of Scrapy settings for how hard to crawl; a *site profile*
(``crawler.profiles``, TOML) says what to crawl on one site and how to read it. Every other
newscrawl setting has its one default here; components read it from the crawler's settings.

``polite`` (the default) is for other people's sites: robots.txt, AutoThrottle, a delay and
few requests per domain. ``fast`` is for sites you own or may hammer: no throttling,
cookies off, CONCURRENT_ITEMS=1 (FACTS.md: at 100 Scrapy spawns ~100 tasks per response
and halves its rate).
"""

from __future__ import annotations

import os
from typing import Any

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl)"
ROBOTSTXT_OBEY = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DEPTH_LIMIT = 8

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SafetyMiddleware": 50,
    "crawler.middlewares.PageBudgetMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsPolicyMiddleware": 100,
    "crawler.middlewares.FetchOptionsMiddleware": 350,  # a profile's [fetch]: before UA, cookies, proxy
    "crawler.middlewares.HostHealthMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoopSafeRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.QuickMetaRefreshMiddleware": 580,
    # a render = "browser" profile's pages: rendered after decompression, redirects and retries
    # (process_response runs from high to low numbers); not installed for any other site
    "crawler.render.middleware.RenderMiddleware": 540,
}
SPIDER_MIDDLEWARES = {"crawler.middlewares.OriginSpiderMiddleware": 50,
                      # last before the engine: discovery waits while the scheduler is full
                      "crawler.backpressure.DiscoveryBackpressure": 10,
                      # depth limit: pagination exempt, cut links recorded as skipped
                      "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                      "crawler.middlewares.DepthPolicyMiddleware": 900}
NEWSCRAWL_MAX_LINKS_PER_PAGE = 1000  # links followed from one page; the rest are recorded as skipped
NEWSCRAWL_MAX_ARTICLE_PAGES = 30  # pages of one multi-page article fetched and merged (page 1 included)
NEWSCRAWL_MAX_CRAWL_DELAY = 10.0  # seconds: a robots.txt Crawl-delay above this is capped
NEWSCRAWL_MAX_RETRY_AFTER = 120.0  # seconds: the longest Retry-After pause honoured for a host
NEWSCRAWL_HOST_MAX_ERRORS = 10  # consecutive server errors that retire a host for the run

EXTENSIONS = {"crawler.progress.ProgressExtension": 500, "crawler.speed.gctune.GcTuningExtension": 0,
              "crawler.speed.pool_extension.ParsePoolExtension": 0,
              "crawler.frontier.SharedFrontier": 100}
NEWSCRAWL_PROGRESS = False  # the CLI turns it on for crawls run on a terminal

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 900}

NEWSCRAWL_DB = None  # None: $NEWSCRAWL_DB, else sqlite:///newscrawl.db
NEWSCRAWL_PARSE_WORKERS = 0  # processes that parse pages; 0 parses in the crawl process
# Seconds one page may take in a parse worker before the worker is killed and replaced (the
# page is recorded as not parsed); 0 turns it off. Inline parsing has no such limit.
NEWSCRAWL_PARSE_TIMEOUT = 120.0
# Batches are written in a process of their own (True), a thread of the crawl process (False),
# or, with None, in a process exactly when NEWSCRAWL_PARSE_WORKERS > 0 (crawler.storewriter).
NEWSCRAWL_STORE_PROCESS = None
# The crawl and store processes' garbage-collector thresholds, applied with gc.freeze() once
# the crawl has started (crawler.speed.gctune: ~16% of the crawl process's CPU went to full
# collections). None keeps Python's defaults.
NEWSCRAWL_GC_THRESHOLD = (10_000, 20, 20)
NEWSCRAWL_BATCH_SIZE = 100  # items per transaction
NEWSCRAWL_FLUSH_SECONDS = 5.0  # ...or fewer, once the oldest has waited this long
# Discovered requests (sitemaps, feeds, listing links) held in the in-memory scheduler before
# the spider waits for it to drain: a 20,000-URL sitemap no longer sits in memory as 20,000
# Requests. 0 turns the wait off. Not used with a Redis frontier.
NEWSCRAWL_MAX_QUEUED = 1000
NEWSCRAWL_INCREMENTAL = True  # skip articles stored before unless a sitemap/feed says they changed
NEWSCRAWL_KEEP_RAW = False  # keep each article's fetched bytes for `newscrawl reparse` (crawl --keep-raw)
NEWSCRAWL_SCRIPT = "keep"  # Chinese script of stored text without a site profile: keep, simplified, traditional
NEWSCRAWL_REDIS_IDLE_TIMEOUT = 10.0  # seconds a process waits on an empty shared frontier before leaving
NEWSCRAWL_LOG_FORMAT = "text"  # or "json" (crawl --log-format)
# Sites whose profile says render = "browser" (crawler.render): their HTML pages are rendered by
# headless Chromium before they are parsed. The browser (None: chromium, chromium-browser,
# google-chrome or google-chrome-stable on PATH), the pages rendered at once in the whole
# process, and the seconds one page may take to settle before it is recorded as failed.
NEWSCRAWL_BROWSER = None
NEWSCRAWL_RENDER_CONCURRENCY = 2
NEWSCRAWL_RENDER_TIMEOUT = 20.0

PRESETS: dict[str, dict[str, Any]] = {
    "polite": {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_DELAY": 1.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    },
    "fast": {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "CONCURRENT_ITEMS": 1,
        "COOKIES_ENABLED": False,
        "NEWSCRAWL_PARSE_WORKERS": max(1, (os.cpu_count() or 2)),
    },
}
