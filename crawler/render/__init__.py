"""Script-built sites: a profile's ``render = "browser"`` has headless Chromium build the page
before it is parsed.

Some sites send HTML that holds only ``Loading…`` and fill in the article with script (from
inline JSON, or a ``fetch()`` after load). For such a site the crawl still fetches every page
with Scrapy (politeness, robots.txt, the profile's ``[fetch]`` options, redirects, retries and
304s all work as for any site); then ``crawler.render.middleware.RenderMiddleware`` hands each
HTML page of the site to one headless browser shared by the process
(``crawler.render.browser``), which loads those bytes at the page's URL, runs its scripts,
waits until the page settles and returns the DOM, which is what the spider parses. Sitemaps,
feeds and robots.txt are never rendered, and the middleware is not even installed for a
site without the key, so every other site of a multi-site run is crawled as before.

Settings (``crawler.settings``): ``NEWSCRAWL_BROWSER`` (the executable; default: Chromium or
Chrome on PATH), ``NEWSCRAWL_RENDER_CONCURRENCY`` (pages rendered at once in the process,
default 2) and ``NEWSCRAWL_RENDER_TIMEOUT`` (seconds one page may take to settle, default
20; a page that does not is recorded as failed with the reason).

This module imports nothing heavy: the crawl command calls ``browser_problem`` before
Scrapy starts, so a machine without a browser gets one line saying what to install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from urllib.parse import urlsplit

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = ("install Chromium (Debian/Ubuntu: apt-get install chromium) or point -s NEWSCRAWL_BROWSER= at a "
                "Chromium or Chrome executable")


def find_browser(setting: str | None) -> str | None:
    """The browser executable: the setting's path when given, else the first of
    ``BROWSER_NAMES`` on PATH; None when there is none (or the setting's path is no
    executable file)."""
    if setting:
        return setting if os.path.isfile(setting) and os.access(setting, os.X_OK) else None
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


def browser_problem(setting: str | None) -> str | None:
    """Why pages cannot be rendered on this machine (one line, saying what to install), or
    None when the Python package and a browser executable are both there."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install 'newscrawl[render]')"
    if find_browser(setting) is None:
        where = f"no browser at {setting}" if setting else f"no browser on PATH ({', '.join(BROWSER_NAMES)})"
        return f"{where}: {INSTALL_HINT}"
    return None


def page_request_allowed(page_url: str, url: str, allow_private: bool) -> bool:
    """Whether a rendered page's own request (script, data, style) may go out: the rules the
    crawl applies to its own requests (``crawler.middlewares.SafetyMiddleware``): http(s)
    only, and from a page on a public host nothing private, loopback or link-local unless the
    profile sets ``allow_private``. May look names up: call it off the event loop."""
    from crawler.middlewares import crossing_into_private

    if urlsplit(url).scheme not in ("http", "https"):
        return False
    return allow_private or not crossing_into_private(urlsplit(page_url).hostname or "", urlsplit(url).hostname or "")
