"""One limit on requests in flight for all the site crawlers of a process (``crawler.multisite``).

Each Scrapy crawler's ``CONCURRENT_REQUESTS`` counts only its own requests; the sites of a
multi-site run share one process and should share one limit. Scrapy has no setting for
that, but download handlers are a public extension point (``DOWNLOAD_HANDLERS``): this one
is Scrapy's HTTP/1.1 handler behind one process-wide semaphore. Its own module, imported
only by Scrapy when the handler is built, so importing it never installs a reactor early.
"""

from __future__ import annotations

import asyncio

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

_GATES: dict[int, asyncio.Semaphore] = {}


def _gate(limit: int) -> asyncio.Semaphore:
    """The process-wide semaphore of ``limit`` places (created in the running loop)."""
    if limit not in _GATES:
        _GATES[limit] = asyncio.Semaphore(limit)
    return _GATES[limit]


class GatedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler behind one process-wide semaphore of
    ``NEWSCRAWL_GLOBAL_CONCURRENCY`` places: the limit on requests in flight across all the
    site crawlers of the process (each crawler's own ``CONCURRENT_REQUESTS`` only counts its
    own). The place is taken after the site's slot released the request, so a site's delay
    is never shortened, only, when the process is at its limit, lengthened."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._limit = crawler.settings.getint("NEWSCRAWL_GLOBAL_CONCURRENCY") or 0

    async def download_request(self, request: Request) -> Response:
        if self._limit <= 0:
            return await super().download_request(request)
        async with _gate(self._limit):
            return await super().download_request(request)


