"""One headless Chromium per crawl process, driven by Playwright's asyncio API on Scrapy's own
asyncio reactor, shared by every render site's crawler.

Why this way (measured on script-built pages, ``README`` "Site profiles"): one browser is
started once (~0.6 s), each site gets a browser context of its own (``SiteRenderer``) and
its pages are rendered in tabs reused page after page, against ~1 s a page for ``chromium
--headless --dump-dom`` started per page, which also fetches the page a second time, says
nothing of its HTTP status and cannot carry the site's headers. Playwright's calls are
asyncio coroutines, so they run in the reactor's loop next to Scrapy: no thread, no second
loop.

A page is rendered from the bytes Scrapy fetched: the browser's request for the page itself
is answered with them (so the page is fetched once, with the site's politeness and
``[fetch]`` options), while its scripts, styles and data (``fetch()``, XHR) are requested
by the browser itself; images, media and fonts are not loaded. Requests to the page's own
host carry the site's extra headers (cookies, authorization); other hosts get none. The
caller's ``allowed`` check is asked about every such request (the crawl refuses what its
safety rules refuse to fetch itself: a public page's script reaching into private addresses).

Settled: the load event fired, no request has been open for ``QUIET`` seconds and the DOM
has not changed for as long. A page that does not get there within the time limit raises
``RenderTimeout`` with what it was still doing (a request still open, or the DOM still
changing), and its tab is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urldefrag, urlsplit

QUIET = 0.25  # seconds without a request in flight and without a DOM change: the page has settled
POLL = 0.05
# As root in a sandbox without a display or an open network: no sandbox, no GPU, and none of
# Chromium's own background connections (refused here, many at a time, without these).
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SKIPPED_RESOURCES = ("image", "media", "font")  # never change the text; only cost time
# Stamps the time of the last DOM change; installed before any of the page's own scripts run.
WATCH_CHANGES = """(() => {
  const stamp = () => { window.__newscrawlChanged = performance.now(); };
  stamp();
  new MutationObserver(stamp).observe(document, {subtree: true, childList: true, characterData: true,
                                                 attributes: true});
})();"""
SINCE_CHANGE = "() => performance.now() - (window.__newscrawlChanged || 0)"


class RenderError(Exception):
    """A page the browser could not render (it crashed, or failed on the page)."""


class RenderTimeout(RenderError):
    """A page that did not settle within the time limit."""


class BrowserUnavailable(RenderError):
    """The browser could not be started."""


class _Watch:
    """What a page is doing: the load event, requests in flight, the last network activity."""

    def __init__(self) -> None:
        self.loaded = False
        self.pending: dict[Any, str] = {}
        self.last_network = time.monotonic()
        self.last_url = ""

    def reset(self) -> None:
        """A new page in the same tab: what the last one did no longer counts."""
        self.loaded = False
        self.pending.clear()
        self.last_network = time.monotonic()
        self.last_url = ""

    def attach(self, page: Any) -> None:
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        self.pending[request] = self.last_url = request.url
        self.last_network = time.monotonic()

    def _ended(self, request: Any) -> None:
        self.pending.pop(request, None)
        self.last_network = time.monotonic()

    def why(self) -> str:
        """What kept the page from settling."""
        if not self.loaded:
            return "its load event never fired"
        if self.pending:
            first = next(iter(self.pending.values()))
            return f"{len(self.pending)} request(s) still open ({first[:120]})"
        if time.monotonic() - self.last_network < QUIET:
            return f"it kept making requests ({self.last_url[:120]})"
        return "its content kept changing"


class SharedBrowser:
    """The process's browser (one per executable and event loop), started by the first render
    site's crawler and closed when the last one releases it. ``concurrency`` pages are
    rendered at once across all of them (the first crawler's setting: a multi-site run gives
    every site the same settings)."""

    _instances: dict[tuple[str, int], SharedBrowser] = {}

    def __init__(self, executable: str, concurrency: int) -> None:
        self.executable = executable
        self.users = 0
        self.rendering = 0
        self.most_at_once = 0  # the most pages rendered at the same time (a stat: the limit held)
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None

    @classmethod
    async def acquire(cls, executable: str, concurrency: int) -> SharedBrowser:
        """The shared browser, started if it is not running; BrowserUnavailable if it cannot be."""
        key = (executable, id(asyncio.get_running_loop()))
        shared = cls._instances.setdefault(key, cls(executable, concurrency))
        shared.users += 1
        try:
            await shared._ensure()
        except BaseException:
            await shared.release()
            raise
        return shared

    async def release(self) -> None:
        """One crawler is done with the browser; the last one closes it."""
        self.users -= 1
        if self.users > 0:
            return
        for key, shared in list(self._instances.items()):
            if shared is self:
                del self._instances[key]
        browser, playwright, self._browser, self._playwright = self._browser, self._playwright, None, None
        for close in (browser.close if browser else None, playwright.stop if playwright else None):
            if close is not None:
                try:
                    await close()
                except Exception:  # noqa: BLE001,S110 - the browser may already be gone; nothing to keep
                    pass

    async def _ensure(self) -> None:
        """Start the browser, or start it again after it died (a crashed browser is not the
        next page's fault)."""
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return
            from playwright.async_api import async_playwright

            try:
                if self._playwright is None:
                    self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, args=LAUNCH_ARGS, headless=True, timeout=30_000)
            except Exception as exc:
                raise BrowserUnavailable(f"could not start the browser {self.executable}: {_first_line(exc)}") from exc

    async def new_context(self, user_agent: str | None) -> Any:
        """A browser context of its own (cookies, storage, user agent) for one site."""
        await self._ensure()
        return await self._browser.new_context(user_agent=user_agent, service_workers="block")

    def connected(self, context: Any) -> bool:
        """Whether ``context`` lives in the running browser (not in one that died)."""
        return bool(self._browser is not None and self._browser.is_connected() and context.browser is self._browser)


class SiteRenderer:
    """One site's pages in the shared browser: a browser context of its own (its cookies,
    storage and user agent) and tabs that are reused page after page; a tab whose page failed
    or ran out of time is closed, not reused. Reusing tabs is what makes rendering affordable:
    20 pages 4 at once took 3.0 s in reused tabs, 5.9 s with a new tab per page and 13.4 s
    with a new context per page (each new tab and context starts renderer processes)."""

    def __init__(self, shared: SharedBrowser) -> None:
        self.shared = shared
        self._context: Any = None
        self._idle: list[_Tab] = []
        self._lock = asyncio.Lock()

    async def render(self, url: str, body: bytes, content_type: str, timeout: float,
                     user_agent: str | None = None, site_headers: dict[str, str] | None = None,
                     allowed: Callable[[str], Awaitable[bool]] | None = None) -> str:
        """The page's DOM once it has settled, as HTML: ``body`` (what Scrapy fetched from
        ``url``) loaded at ``url`` with its scripts run. Waiting for a place among the shared
        browser's ``concurrency`` is not counted in ``timeout``."""
        from playwright.async_api import Error as PlaywrightError

        shared = self.shared
        async with shared._semaphore:
            shared.rendering += 1
            shared.most_at_once = max(shared.most_at_once, shared.rendering)
            try:
                try:
                    tab = await self._tab(user_agent)
                except PlaywrightError as exc:
                    raise RenderError(f"the browser failed to open a tab: {_first_line(exc)}") from exc
                try:
                    html = await tab.render(url, body, content_type, timeout, site_headers or {}, allowed)
                except BaseException:
                    await tab.close()
                    raise
                self._idle.append(tab)
                return html
            finally:
                shared.rendering -= 1

    async def _tab(self, user_agent: str | None) -> _Tab:
        """An idle tab of this site's context, or a new one (a new context too when the
        browser had died and was started again)."""
        async with self._lock:
            if self._context is None or not self.shared.connected(self._context):
                self._idle.clear()
                self._context = await self.shared.new_context(user_agent)
            if self._idle:
                return self._idle.pop()
            return await _Tab.open(self._context)

    async def close(self) -> None:
        context, self._context, self._idle = self._context, None, []
        if context is not None:
            try:
                await context.close()
            except Exception:  # noqa: BLE001,S110 - the browser may already be gone; nothing to keep
                pass


class _Tab:
    """One reused tab: its watch and its route handler stay; each render gives them a new job."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.watch = _Watch()
        self.url = ""
        self.body = b""
        self.content_type = "text/html"
        self.site_headers: dict[str, str] = {}
        self.allowed: Callable[[str], Awaitable[bool]] | None = None
        self.served = True  # the job's page itself was answered (nothing to answer between jobs)

    @classmethod
    async def open(cls, context: Any) -> _Tab:
        tab = cls(await context.new_page())
        await tab.page.add_init_script(WATCH_CHANGES)
        tab.watch.attach(tab.page)
        await tab.page.route("**/*", tab._route)
        return tab

    async def _route(self, route: Any) -> None:
        request = route.request
        if not self.served and request.is_navigation_request() and request.frame == self.page.main_frame:
            self.served = True  # the page itself: the bytes Scrapy fetched
            await route.fulfill(status=200, headers={"content-type": self.content_type}, body=self.body)
        elif request.resource_type in SKIPPED_RESOURCES:
            await route.abort()
        elif self.allowed is not None and not await self.allowed(request.url):
            await route.abort("blockedbyclient")
        elif self.site_headers and _origin(request.url) == _origin(self.url):
            await route.continue_(headers={**request.headers, **self.site_headers})
        else:
            await route.continue_()

    async def render(self, url: str, body: bytes, content_type: str, timeout: float, site_headers: dict[str, str],
                     allowed: Callable[[str], Awaitable[bool]] | None) -> str:
        from playwright.async_api import Error as PlaywrightError

        # no fragment: going to the tab's own URL plus "#x" would be no navigation at all
        self.url, self.body, self.content_type, self.site_headers, self.allowed = (urldefrag(url).url, body,
                                                                                   content_type, site_headers,
                                                                                   allowed)
        self.served = False
        self.watch.reset()
        try:
            return await asyncio.wait_for(self._load(), timeout)
        except TimeoutError:
            raise RenderTimeout(f"the page did not settle within {timeout:g} s: {self.watch.why()}") from None
        except PlaywrightError as exc:
            raise RenderError(f"the browser failed on the page: {_first_line(exc)}") from exc
        finally:
            self.body = b""

    async def _load(self) -> str:
        await self.page.goto(self.url, wait_until="load", timeout=0)  # bounded by render's wait_for
        self.watch.loaded = True
        while True:
            await asyncio.sleep(POLL)
            if self.watch.pending or time.monotonic() - self.watch.last_network < QUIET:
                continue
            try:
                if await self.page.evaluate(SINCE_CHANGE) < QUIET * 1000:
                    continue
            except Exception:  # noqa: BLE001 - a script navigated away mid-check: not settled yet
                continue
            return str(await self.page.content())

    async def close(self) -> None:
        try:
            await self.page.close()
        except Exception:  # noqa: BLE001,S110 - closed with its context or browser already
            pass


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
