"""Downloader middlewares: politeness, failing servers and safety beyond what Scrapy does.

``RobotsPolicyMiddleware`` replaces Scrapy's robots.txt middleware with RFC 9309's rules
for unreachable files: a robots.txt answering 5xx means the whole host is disallowed
(Scrapy treats it as allow-all), 4xx means no rules. It also honours ``Crawl-delay`` by
setting that host's download-slot delay, capped by NEWSCRAWL_MAX_CRAWL_DELAY seconds.
``HostHealthMiddleware`` honours Retry-After and retires hosts in a 5xx storm,
``SafetyMiddleware`` refuses non-HTTP schemes and public-to-private hops (links and redirects:
``OriginSpiderMiddleware`` tells it which page a request came from),
``LoopSafeRedirectMiddleware`` turns redirect loops into recorded failures, and
``QuickMetaRefreshMiddleware`` skips Scrapy's meta-refresh scan on pages that cannot have one,
and ``FetchOptionsMiddleware`` applies a profile's ``[fetch]`` table to its own site's requests.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError
from twisted.internet.error import TimeoutError as TwistedTimeout
from twisted.web._newclient import ResponseNeverReceived

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


# Failures that are the network's, not a bug: logged as one line, never with a traceback.
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError, DownloadFailedError,
    ResponseDataLossError, ConnectError, DNSLookupError, TwistedTimeout, TimeoutError, ConnectionLost,
    ResponseNeverReceived, ConnectionRefusedError, ConnectionResetError, socket.gaierror)
# Scrapy loggers that attach the traceback of a download error (robots.txt: "Error downloading")
_TRACEBACK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper", "scrapy.core.engine")


class OneLineNetworkErrors(logging.Filter):
    """Drops the traceback from a log record whose exception is an expected network failure
    (connection refused, DNS, timeout, connection lost): the message already says what
    happened, and an operator reading a cron mail wants one line per failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and isinstance(exc, _NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    """Install ``OneLineNetworkErrors`` on the Scrapy loggers that log tracebacks (once)."""
    for name in _TRACEBACK_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, OneLineNetworkErrors) for f in target.filters):
            target.addFilter(OneLineNetworkErrors())


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """robots.txt per RFC 9309 (5xx = disallow the host) with Crawl-delay support."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        quiet_network_tracebacks()  # here, so Scrapyd runs get it too
        self.max_crawl_delay = crawler.settings.getfloat("NEWSCRAWL_MAX_CRAWL_DELAY")

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
        # No jitter: Scrapy randomises delays between 0.5x and 1.5x, and half a Crawl-delay breaks it.
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0)
        if key in downloader.slots:
            downloader.slots[key].delay = max(downloader.slots[key].delay, delay)
            downloader.slots[key].jitter = 0
        self._stats.set_value(f"robotstxt/crawl_delay/{key}", delay)
        logger.info("robots.txt of %s asks for Crawl-delay %.1f s (applied, cap %.1f s)", netloc, delay,
                    self.max_crawl_delay)


# --- hostile and failing servers ----------------------------------------------------------------

class HostHealthMiddleware:
    """Per-host backoff and retirement.

    - 429/503 with ``Retry-After``: the host is paused for that long (capped by
      NEWSCRAWL_MAX_RETRY_AFTER seconds) and the request is retried after the pause; other
      hosts carry on. Scrapy by itself retries at once.
    - A run of NEWSCRAWL_HOST_MAX_ERRORS consecutive server errors or failed connections on
      one host retires that host for the rest of the run: its remaining requests fail fast
      with a recorded reason instead of piling up retries.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.max_retry_after = crawler.settings.getfloat("NEWSCRAWL_MAX_RETRY_AFTER")
        self.max_errors = crawler.settings.getint("NEWSCRAWL_HOST_MAX_ERRORS")
        self.max_retries = crawler.settings.getint("RETRY_TIMES")
        self.paused_until: dict[str, float] = {}
        self.errors: dict[str, int] = {}
        self.retired: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostHealthMiddleware:
        return cls(crawler)

    @staticmethod
    def _host(request: Request) -> str:
        return urlparse_cached(request).netloc

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = self._host(request)
        if host in self.retired:
            raise IgnoreRequest(f"host {host} retired after {self.max_errors} consecutive server errors")
        wait = self.paused_until.get(host, 0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        host = self._host(request)
        if response.status >= 500 or response.status == 429:
            self._error(host)
        else:
            self.errors[host] = 0
        if response.status in (429, 503) and (delay := retry_after_seconds(response)) is not None:
            delay = min(delay, self.max_retry_after)
            self.paused_until[host] = max(self.paused_until.get(host, 0), time.monotonic() + delay)
            self.crawler.stats.inc_value("newscrawl/retry_after")
            retries = request.meta.get("retry_times", 0) + 1
            if retries <= self.max_retries and host not in self.retired:
                retry = request.copy()
                retry.meta["retry_times"] = retries
                retry.dont_filter = True
                logger.info("%s asked to wait %.0f s (HTTP %d, Retry-After); pausing the host", host, delay,
                            response.status)
                return retry
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if not isinstance(exception, IgnoreRequest):
            self._error(self._host(request))

    def _error(self, host: str) -> None:
        self.errors[host] = self.errors.get(host, 0) + 1
        if self.errors[host] >= self.max_errors and host not in self.retired:
            self.retired.add(host)
            self.crawler.stats.inc_value("newscrawl/hosts_retired")
            logger.warning("host %s retired for this run after %d consecutive server errors", host, self.errors[host])


def retry_after_seconds(response: Response) -> float | None:
    """The ``Retry-After`` header as seconds (delta-seconds or an HTTP date), or None."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    text = raw.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --- safety -----------------------------------------------------------------------------------------

def is_private_host(host: str) -> bool:
    """True when ``host`` is (or resolves to) a private, loopback, link-local or reserved address."""
    host = host.strip("[]")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError:
            return False
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return any(not a.is_global for a in addresses)


def crossing_into_private(origin_host: str, target_host: str) -> bool:
    """A request from a public origin to a private/loopback/link-local target (SSRF shape)."""
    return not is_private_host(origin_host) and is_private_host(target_host)


class PageBudgetMiddleware:
    """``--max-pages N`` (CLOSESPIDER_PAGECOUNT) as a cap on downloads, not only a reason to
    close: Scrapy's close extension stops the crawl after N responses, but the requests
    already in flight (up to CONCURRENT_REQUESTS) still download, so --max-pages 30 fetched 64
    pages. Here the (N+1)th page request is not sent; it ends as "skipped" with the reason.
    robots.txt and retries of a request already counted do not count."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.limit <= 0 or request.meta.get("dont_obey_robotstxt") or request.meta.get("retry_times"):
            return
        if self.sent >= self.limit:
            self.crawler.stats.inc_value("newscrawl/skipped_max_pages")
            raise IgnoreRequest(f"budget: --max-pages {self.limit} reached")
        self.sent += 1


class SafetyMiddleware:
    """Refuses requests that leave the web: non-HTTP schemes (file:, data:, ftp:...) and, unless
    the site profile sets ``allow_private = true``, requests or redirects from a public host
    into private, loopback or link-local addresses. Runs before the download, so a redirect
    target is checked too (redirects come back through the scheduler)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._private: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> SafetyMiddleware:
        return cls(crawler)

    def _is_private(self, host: str) -> bool:
        if host not in self._private:
            self._private[host] = is_private_host(host)
        return self._private[host]

    def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            self.crawler.stats.inc_value("newscrawl/refused_scheme")
            raise IgnoreRequest(f"refused: {parts.scheme}: URLs are never fetched")
        spider = spider or self.crawler.spider
        profile = getattr(spider, "profile", None)
        if profile is not None and profile.allow_private:
            return
        target = parts.hostname or ""
        for origin in _origins(request):
            if not self._is_private(origin) and self._is_private(target):
                self.crawler.stats.inc_value("newscrawl/refused_private")
                raise IgnoreRequest(f"refused: {target} is a private address reached from public {origin}")


def _origins(request: Request) -> list[str]:
    """The hosts ``request`` was reached from: the page that linked to it (the
    ``newscrawl_origin_host`` meta key, set by ``OriginSpiderMiddleware``) and every hop of
    its redirect chain. A start URL has none: the user asked for it."""
    hosts = [request.meta.get("newscrawl_origin_host")]
    hosts += [urlsplit(url).hostname for url in request.meta.get("redirect_urls") or ()]
    return [host for host in dict.fromkeys(hosts) if host]


class DepthPolicyMiddleware(DepthMiddleware):
    """Scrapy's depth limit (DEPTH_LIMIT, a profile's ``rules.max_depth``), meant for link
    discovery, with two changes:

    - pagination is not cut by it: a request the spider marks ``pagination`` (the next page
      of a listing: the same URL shape, or the profile's listing rule, linked from a page
      that is not an article) keeps the depth of the listing page it came from, so a
      15-page listing is followed to its end. Its own budget stops a pagination chain: the
      spider's listing / URL-shape budget (``max_listing_pages``), recorded as skipped;
    - a link cut by the limit is not dropped silently: it ends as "skipped" with the reason
      (once per URL), like every other URL the crawl discovered."""

    def get_processed_request(self, request: Request, response: Response | None) -> Any:
        if response is not None and request.meta.pop("pagination", False):
            request.meta.pop("depth_reset", None)
            request.meta["depth"] = response.meta.get("depth", 0)  # counted from the last listing page
            if self.prio:
                request.priority -= request.meta["depth"] * self.prio
            return request
        result = super().get_processed_request(request, response)
        if result is None and response is not None:
            spider = self.crawler.spider
            skip = getattr(spider, "_skip", None)
            if skip is not None:
                return next(iter(skip(request.url, f"depth: more than {self.maxdepth} links from a start page")), None)
        return result


class OriginSpiderMiddleware:
    """Stamps every request a callback yields with the host of the page it came from
    (``newscrawl_origin_host``), so ``SafetyMiddleware`` can refuse a link from a public page
    into a private address, not only a redirect there."""

    def _stamp(self, response: Response, result: Any) -> Any:
        if isinstance(result, Request) and "newscrawl_origin_host" not in result.meta:
            host = urlparse_cached(response).hostname
            if host:
                result.meta["newscrawl_origin_host"] = host
        return result

    def process_spider_output(self, response: Response, result: Iterable[Any], spider: Any = None) -> Iterator[Any]:
        for item in result:
            yield self._stamp(response, item)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for item in result:
            yield self._stamp(response, item)


class LoopSafeRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, but a redirect back to a URL already in the chain fails the
    request with "redirect loop" (plain Scrapy drops it in the duplicate filter, silently),
    and redirect targets bypass the duplicate filter so no redirected URL is lost unrecorded."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        result = super().process_response(request, response)
        location = response.headers.get(b"Location") if result is response and 300 <= response.status < 400 else None
        if location and not request.meta.get("dont_redirect"):
            target = urljoin(request.url, location.decode("latin-1").strip())
            scheme = urlsplit(target).scheme
            if scheme not in ("http", "https"):  # Scrapy passes the 3xx on, then recorded as "failed: HTTP 302"
                self.crawler.stats.inc_value("newscrawl/refused_scheme")
                raise IgnoreRequest(f"refused: redirect to a {scheme}: URL, never fetched")
        return result

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            self.crawler.stats.inc_value("newscrawl/redirect_loops")
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, redirected.url])}")
        result = super()._redirect(redirected, request, reason)
        result.dont_filter = True
        return result


# Scrapy looks for <meta http-equiv="refresh"> in the first 4,096 characters, which are at most
# 4 bytes each in any encoding this looks at (UTF-16/32 bodies, with NUL bytes, are left to Scrapy).
_REFRESH_WINDOW = 4 * 4096


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page to look for one.

    The stock middleware reads ``response.text``, which decodes the whole body in the crawl
    process, only to search its first 4,096 characters; newscrawl never needs that text there
    (pages go to the parse workers as bytes). In a py-spy profile of the fast profile the
    decode and the search were ~3% of the crawl process's GIL time. A page whose first bytes do
    not contain "refresh" in any letter case cannot have the tag: it is passed on untouched;
    any other page is handed to Scrapy's own logic."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        head = response.body[:_REFRESH_WINDOW]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)


# --- per-site fetch options ---------------------------------------------------------------------
class FetchOptionsMiddleware:
    """A site profile's ``[fetch]`` options (``crawler.profiles.fetch``) on the requests for
    that site's hosts (its start points' hosts and ``allowed_domains``, subdomains included):
    user agent, extra headers, cookies, basic auth and an HTTP proxy. Requests to any other
    host (a redirect elsewhere, another site of a multi-site run) get none of them, so
    credentials never leak. Runs before Scrapy's user-agent, default-headers, cookies and
    proxy middlewares, which then keep what it set."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.cookies_enabled = crawler.settings.getbool("COOKIES_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchOptionsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        options = getattr(getattr(spider, "profile", None), "fetch", None)
        if not options or not spider.owns_host(urlparse_cached(request).hostname or ""):
            return
        if options.user_agent:
            request.headers.setdefault(b"User-Agent", options.user_agent)
        for name, value in options.headers.items():
            request.headers.setdefault(name, value)
        if options.basic_auth and b"Authorization" not in request.headers:
            token = base64.b64encode(":".join(options.basic_auth).encode("utf-8")).decode("ascii")
            request.headers[b"Authorization"] = f"Basic {token}"
        if options.cookies:
            if self.cookies_enabled:  # through Scrapy's cookie jar (this site's crawler's own)
                own = request.cookies if isinstance(request.cookies, dict) else {}
                request.cookies = {**options.cookies, **own}
            elif b"Cookie" not in request.headers:
                request.headers[b"Cookie"] = "; ".join(f"{k}={v}" for k, v in options.cookies.items())
        if options.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = options.proxy
        self.crawler.stats.inc_value("newscrawl/fetch_options_applied")
