"""Downloader middlewares: politeness beyond what Scrapy does by itself.

``RobotsPolicyMiddleware`` replaces Scrapy's robots.txt middleware with RFC 9309's rules
for unreachable files: a robots.txt answering 5xx means the whole host is disallowed
(Scrapy treats it as allow-all), 4xx means no rules. It also honours ``Crawl-delay`` by
setting that host's download-slot delay, capped by NEWSCRAWL_MAX_CRAWL_DELAY seconds.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


class DisallowAll(RobotParser):
    """The parser used when a host's robots.txt is unreachable (5xx): nothing is allowed."""

    def __init__(self, status: int) -> None:
        self.status = status

    @classmethod
    def from_crawler(cls, crawler: Any, robotstxt_body: bytes) -> DisallowAll:  # pragma: no cover - never built so
        return cls(503)

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """robots.txt per RFC 9309 (5xx = disallow the host) with Crawl-delay support."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("NEWSCRAWL_MAX_CRAWL_DELAY", 10.0)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("robotstxt/unreachable_disallow")
            logger.warning("robots.txt of %s answered %d: the host is disallowed for this run (RFC 9309)",
                           netloc, response.status)
            parser = self._parsers[netloc]
            self._parsers[netloc] = DisallowAll(response.status)
            parser.callback(self._parsers[netloc])  # type: ignore[union-attr]
            return
        if response.status >= 400:
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)
        self._apply_crawl_delay(netloc, request)

    def _apply_crawl_delay(self, netloc: str, request: Request) -> None:
        parser = self._parsers.get(netloc)
        crawl_delay = getattr(parser, "crawl_delay", None)
        if not callable(crawl_delay):
            return
        agent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        delay = crawl_delay(agent)
        if not delay:
            return
        delay = min(float(delay), self.max_crawl_delay)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        downloader.per_slot_settings.setdefault(key, {})["delay"] = delay
        if key in downloader.slots:
            downloader.slots[key].delay = max(downloader.slots[key].delay, delay)
        self._stats.set_value(f"robotstxt/crawl_delay/{key}", delay)
        logger.info("robots.txt of %s asks for Crawl-delay %.1f s (applied, cap %.1f s)", netloc, delay,
                    self.max_crawl_delay)
