"""``RenderMiddleware``: a ``render = "browser"`` site's HTML pages rendered before the spider
parses them (``crawler.render``).

Installed per crawler, and only for a crawler whose spider's profile renders: ``from_crawler``
raises ``NotConfigured`` for every other one, so the other sites of a multi-site process
never pass through it. In ``process_response`` (priority 540: after decompression,
redirects and retries) an HTML answer 200 from the site's own hosts becomes the rendered
DOM, as an ``HtmlResponse`` in UTF-8 with the flag ``rendered``; everything else (robots.txt,
sitemaps, feeds, 304s, errors, other hosts, a request with ``meta["render"] = False``)
passes as it came. A page that cannot be
rendered raises ``RenderTimeout`` / ``RenderError``, which the spider's errback records as
failed with the reason.

The browser is started when the spider opens, before anything is fetched: a browser that
cannot start closes the crawl (finish reason ``browser_unavailable``) instead of failing
every page one by one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.render import browser_problem, find_browser, page_request_allowed
from crawler.render.browser import BrowserUnavailable, RenderError, SharedBrowser, SiteRenderer

logger = logging.getLogger(__name__)

# Not passed on to the page's own requests: the browser sets these itself (or they belong to
# the one fetch of the page that Scrapy already made).
_OWN_HEADERS = {"accept", "accept-encoding", "user-agent", "if-none-match", "if-modified-since", "referer",
                "content-length", "content-type", "host", "connection"}


class RenderMiddleware:
    """Renders the HTML pages of a ``render = "browser"`` site in the process's shared browser."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.setting = settings.get("NEWSCRAWL_BROWSER") or None
        self.concurrency = max(1, settings.getint("NEWSCRAWL_RENDER_CONCURRENCY") or 1)
        self.timeout = settings.getfloat("NEWSCRAWL_RENDER_TIMEOUT") or 20.0
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")  # the fetched page's limit holds for the built one too
        self.browser: SharedBrowser | None = None
        self.renderer: SiteRenderer | None = None  # this site's context and tabs in the shared browser
        self._verdicts: dict[tuple[str, str, str], bool] = {}
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderMiddleware:
        profile = getattr(getattr(crawler, "spider", None), "profile", None)
        if profile is None or not getattr(profile, "renders", False):
            raise NotConfigured  # no message: Scrapy would log a WARNING "Disabled ..." for every plain site
        return cls(crawler)

    async def _opened(self, spider: Any = None) -> None:
        problem = browser_problem(self.setting)
        executable = find_browser(self.setting)
        try:
            if problem or executable is None:
                raise BrowserUnavailable(problem or "no browser")
            self.browser = await SharedBrowser.acquire(executable, self.concurrency)
            self.renderer = SiteRenderer(self.browser)
        except BrowserUnavailable as exc:
            logger.error("cannot render this site's pages: %s", exc)
            self.crawler.stats.set_value("newscrawl/render_unavailable", str(exc))
            raise CloseSpider("browser_unavailable") from None
        self.crawler.stats.set_value("newscrawl/rendered", 0)  # a render site's summary line says how many
        logger.info("rendering this site's pages in %s (%d at once, %g s per page)", executable,
                    self.concurrency, self.timeout)

    async def _closed(self, spider: Any = None) -> None:
        if self.browser is not None:
            self.crawler.stats.set_value("newscrawl/render_most_at_once", self.browser.most_at_once)
            browser, renderer, self.browser, self.renderer = self.browser, self.renderer, None, None
            if renderer is not None:
                await renderer.close()
            await browser.release()

    async def process_response(self, request: Request, response: Response) -> Response:
        if not self._wanted(request, response) or self.renderer is None:
            return response
        stats = self.crawler.stats
        headers = {str(k): str(v) for k, v in request.headers.to_unicode_dict().items()}
        user_agent = headers.get("User-Agent")
        site_headers = {k: v for k, v in headers.items() if k.lower() not in _OWN_HEADERS}
        content_type = (response.headers.get(b"Content-Type") or b"text/html").decode("latin-1")
        try:
            html = await self.renderer.render(response.url, response.body, content_type, self.timeout,
                                             user_agent=user_agent, site_headers=site_headers,
                                             allowed=lambda url: self._allowed(response.url, url))
        except Exception:
            stats.inc_value("newscrawl/render_failed")
            raise
        data = html.encode("utf-8")
        if self.maxsize and len(data) > self.maxsize:
            stats.inc_value("newscrawl/render_failed")
            raise RenderError(f"the rendered page is larger than DOWNLOAD_MAXSIZE ({len(data)} > {self.maxsize} bytes)")
        stats.inc_value("newscrawl/rendered")
        out_headers = response.headers.copy()
        out_headers[b"Content-Type"] = b"text/html; charset=utf-8"
        for name in (b"Content-Length", b"Content-Encoding"):
            out_headers.pop(name, None)
        return response.replace(cls=HtmlResponse, body=data, encoding="utf-8", headers=out_headers,
                                flags=[*response.flags, "rendered"])

    async def _allowed(self, page_url: str, url: str) -> bool:
        """``page_request_allowed`` for one of the page's own requests, counted when refused;
        name lookups off the event loop, once per page host and target host."""
        page_host, host = urlsplit(page_url).hostname or "", urlsplit(url).hostname or ""
        key = (page_host, host, urlsplit(url).scheme)
        if key not in self._verdicts:
            allow_private = bool(self.crawler.spider.profile.allow_private)
            self._verdicts[key] = await asyncio.to_thread(page_request_allowed, page_url, url, allow_private)
        if not self._verdicts[key]:
            self.crawler.stats.inc_value("newscrawl/render_refused")
        return self._verdicts[key]

    def _wanted(self, request: Request, response: Response) -> bool:
        """An article or listing page of the site: an HTML answer 200 from one of its hosts."""
        if response.status != 200 or not isinstance(response, HtmlResponse) or request.meta.get("render") is False:
            return False
        spider = self.crawler.spider
        host = urlparse_cached(response).hostname or ""
        return bool(spider.owns_host(host)) and not urlparse_cached(response).path.endswith("/robots.txt")

