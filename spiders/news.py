"""The news spider: navigation only.

It starts from a site profile's start pages, sitemaps and feeds, from start URLs of any of
those kinds (recognised by content), and from explicit article URLs. Sitemaps (indexes,
gzip'd children, news sitemaps) and feeds (RSS, Atom, JSON Feed) list articles with dates;
listing pages are followed with their pagination under depth and page budgets, and a URL
shape that keeps producing non-article pages (a calendar or pagination trap) is cut off.
Article responses are parsed by ``crawler.article.process_page`` (in the parse pool that
the crawl owns, ``crawler.speed.pool_extension``: worker processes with the fast preset,
inline otherwise); every other page becomes a ``Rejected`` outcome with
its reason, and every failed request a ``Failed`` or ``Skipped`` one, so nothing fetched
goes unrecorded.

An article split over several pages (``crawler.parsing.pagination``: 1001.html, 1001_2.html,
``?page=2``...) is stored as one record under its first page's URL: the spider fetches its
other pages (or its single-page view when it offers one) right from the first page's
callback, at most NEWSCRAWL_MAX_ARTICLE_PAGES of them, and has them merged in the parse pool
with the first. Each of those URLs ends ``skipped`` ("page 2 of <first URL>"); one reached on
its own (a sitemap lists it) is recognised, recorded the same way, and its first page requested.

Incremental: URLs stored by earlier runs are skipped unless a sitemap/feed lists them with
a newer date or the profile's refresh window has passed; then they are fetched with
If-None-Match / If-Modified-Since, and a 304 costs no parse.

What the spider does not own: the parse pool (an extension), backpressure on discovered
requests and the hand-off to a shared Redis frontier (``crawler.backpressure``, a spider
middleware), the frontier's leases and life (``crawler.frontier``), politeness and safety
(downloader middlewares, ``crawler.middlewares``) and storing (``crawler.pipelines``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.article import ParseOutcome
from crawler.parsing import ParseOptions
from crawler.profiles import SiteProfile
from crawler.recrawl import RecrawlPolicy
from crawler.speed.parsepool import ParsePool, WorkerDied
from crawler.speed.pool_extension import ParsePoolExtension
from spiders.discovery import (
    DiscoveryError,
    Entry,
    kind_of,
    parse_feed,
    parse_json_feed,
    parse_sitemap,
    robots_sitemaps,
    url_template,
)
from storage.outcomes import Failed, PagePart, RawPage, Rejected, Skipped

SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|css|js|json|pdf|zip|rar|gz|7z|mp[34]|avi|mov|wmv|flv|apk|exe|dmg|docx?|xlsx?"
    r"|pptx?)$", re.I)
SKIP_PATHS = re.compile(r"/(?:login|logout|register|signup|signin|search|cart|account|wp-admin|wp-login|cmd\.php)\b",
                        re.I)
DEFAULT_TEMPLATE_BUDGET = 50
DEFAULT_MAX_ARTICLE_PAGES = 30


class NewsSpider(scrapy.Spider):
    """Crawl a site profile and/or start URLs, and/or fetch explicit article URLs."""

    name = "news"

    def __init__(self, start_urls: str | list[str] | None = None, site: str | None = None,
                 follow: bool | str = True, profile: SiteProfile | str | None = None,
                 urls: list[str] | str | None = None, since: datetime | str | None = None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # From `scrapy crawl news -a ...` or Scrapyd every argument arrives as a string.
        if isinstance(profile, str):
            from crawler.profiles import find_profile

            profile = find_profile(profile)
        if isinstance(urls, str):
            urls = urls.split(",")
        if isinstance(since, str):
            since = datetime.fromisoformat(since)
        starts = start_urls.split(",") if isinstance(start_urls, str) else list(start_urls or [])
        self.profile = profile
        if profile is not None:
            starts = [*starts, *profile.start_urls, *profile.sitemaps, *profile.feeds]
        self.start_urls = list(dict.fromkeys(u.strip() for u in starts if u.strip()))
        self.explicit_urls = list(dict.fromkeys(u.strip() for u in urls or [] if u.strip()))
        if not self.start_urls and not self.explicit_urls:
            raise ValueError("nothing to crawl: give start URLs, article URLs or a profile with start points")
        own = {urlsplit(u).hostname for u in [*self.start_urls, *self.explicit_urls]}
        self.allowed_hosts = own | set(profile.hosts if profile else ())
        self.follow = str(follow).lower() not in ("0", "false", "no")
        self.options = profile.parse_options() if profile else ParseOptions(site=site)
        self.since = since.astimezone(UTC).replace(tzinfo=None) if since and since.tzinfo else since
        self.keep_raw = False
        self.recrawl: RecrawlPolicy | None = None
        self.pool: ParsePool | None = None
        self.script: str = "keep"
        self.shared_frontier = False  # the scheduler is a Redis frontier shared with other processes
        self.template_budget = (profile.max_listing_pages if profile else DEFAULT_TEMPLATE_BUDGET) or 10**9
        self.non_articles: Counter[str] = Counter()
        self.skipped_urls: set[str] = set()
        self.known_urls: set[str] = set()
        self.listing_pages = 0
        self.max_listing_pages = profile.max_listing_pages if profile else 10**9
        self.max_links = 10**9  # links followed from one page (NEWSCRAWL_MAX_LINKS_PER_PAGE)
        self.max_article_pages = DEFAULT_MAX_ARTICLE_PAGES  # NEWSCRAWL_MAX_ARTICLE_PAGES
        self.article_pages: set[str] = set()  # other pages of merged articles: fetched, never requested again

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.keep_raw = crawler.settings.getbool("NEWSCRAWL_KEEP_RAW")
        spider.max_links = crawler.settings.getint("NEWSCRAWL_MAX_LINKS_PER_PAGE") or 10**9
        spider.max_article_pages = max(1, crawler.settings.getint("NEWSCRAWL_MAX_ARTICLE_PAGES",
                                                                  DEFAULT_MAX_ARTICLE_PAGES))
        spider.script = (spider.profile.script if spider.profile else None) or crawler.settings.get(
            "NEWSCRAWL_SCRIPT") or "keep"
        engine = None
        if crawler.settings.getbool("NEWSCRAWL_INCREMENTAL"):
            from storage.db import connect

            engine = connect(crawler.settings.get("NEWSCRAWL_DB"))
        refresh = spider.profile.refresh_hours if spider.profile else None
        spider.recrawl = RecrawlPolicy(engine, spider.options.site, refresh)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        spider.shared_frontier = bool(crawler.settings.get("REDIS_URL"))  # see crawler.frontier
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        return spider

    def _opened(self, spider: Any = None) -> None:
        """The crawl's parse pool (inline parsing if the settings leave its extension out),
        and the stats ``crawler.exitcodes`` judges the run by (both exist from here on)."""
        extension = self.crawler.get_extension(ParsePoolExtension)
        self.pool = extension.pool if extension is not None else ParsePool(0)
        self.crawler.stats.set_value("newscrawl/pages_ok", 0)  # pages answered 2xx/304: 0 at the end means exit 3
        if self.shared_frontier:
            self.crawler.stats.set_value("newscrawl/shared_frontier", True)

    def _closed(self, spider: Any = None) -> None:
        if self.recrawl is not None:
            self.recrawl.close()
            self.crawler.stats.set_value("newscrawl/fetchlog_failed", self.recrawl.failed)

    # --- start ---------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.explicit_urls:
            # With a shared frontier the duplicate filter must see them, or every process fetches them.
            yield scrapy.Request(url, callback=self.parse_article_page, errback=self.failed,
                                 dont_filter=not self.shared_frontier,
                                 meta={"explicit": True, "handle_httpstatus_list": [304]})
        for url in self.start_urls:
            # "start": a start URL, sitemap or feed that fails makes the run exit 3 (crawler.exitcodes)
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"start": True})
        for robots in dict.fromkeys(_robots_url(u) for u in self.start_urls if _is_site_root(u)):
            # a site root's robots.txt names its sitemaps: articles listed only there are found too
            yield scrapy.Request(robots, callback=self.parse_robots, errback=self._no_robots)

    def parse_robots(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The sitemaps a robots.txt names (``Sitemap:`` lines), read like any sitemap. The
        robots.txt itself is not recorded, as Scrapy's own robots.txt fetch is not."""
        for url in (response.urljoin(u) for u in robots_sitemaps(response.body)):
            if self._wanted(url, allow_xml=True):
                yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def _no_robots(self, failure: Any) -> None:
        """No robots.txt (or none readable): nothing to discover there, and nothing failed."""
        self.logger.info("no robots.txt sitemaps at %s: %s", failure.request.url, failure.value)

    # --- dispatch ------------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """Any page: a sitemap, a feed, or an HTML page (article candidate and/or listing)."""
        self.crawler.stats.inc_value("newscrawl/pages_ok")
        for item in self._redirected_from(response):
            yield item
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        try:
            kind = kind_of(response.body, content_type)
            entries = {"sitemap": parse_sitemap, "feed": parse_feed, "jsonfeed": parse_json_feed}.get(kind or "")
            if entries is not None:
                listed = entries(response.body)
                # the document itself ends in a state too: fetched, read, not an article
                yield Rejected(response.url, f"not an article: a {kind} listing {len(listed)} entries")
                for item in self._follow_entries(response, listed):
                    yield item
                return
        except DiscoveryError as exc:
            if response.meta.get("start"):
                self.crawler.stats.inc_value("newscrawl/start_failed")
                self.logger.warning("start point %s is unreadable: %s", response.url, exc)
            yield Rejected(response.url, f"unreadable discovery document: {exc}")
            return
        if not isinstance(response, TextResponse):
            yield Rejected(response.url, f"not a text page ({content_type or 'no content type'})")
            return
        is_article = self.profile.is_article_url(response.url) if self.profile else None
        outcome = await self._parse(response, want_article=is_article is not False, want_links=self.follow)
        if is_article is False:
            self.listing_pages += 1
            yield Rejected(response.url, _listing_reason(self.profile, response.url))  # fetched: it has a state
        else:
            outcome, pages = await self._whole_article(response, outcome)
            for item in [*pages.items, *self._article_items(response, outcome, pages.raw)]:
                yield item
            if outcome.record is None and not pages.items:
                self.non_articles[url_template(response.url)] += 1
        # pagination: from a page that is no article, a link of the same URL shape (or the
        # profile's listing rule) is this listing's next page, exempt from the depth limit
        listing_of = url_template(response.url) if is_article is False or outcome.record is None else None
        for item in self._follow_links(outcome.links, listing_of):
            yield item

    async def parse_article_page(self, response: Response, **kwargs: Any) -> list[Any]:
        """A URL known to be an article (from a sitemap, feed, article rule or the command line).

        A coroutine returning its items, not an async generator, so nothing of the page is
        held open while its parse waits in the pool: live async generators during a 2,000-page
        crawl fell from ~4,900 to ~90 (measured). Scrapy 2.19 still runs the returned list
        through its async spider-middleware chain (29 async generators created per page either
        way), so this saves memory and bookkeeping, not a measurable amount of CPU."""
        self.crawler.stats.inc_value("newscrawl/pages_ok")
        # first: a record stored under one of the URLs that redirected here overwrites their state
        return [*self._redirected_from(response), *await self._article_page(response)]

    async def _article_page(self, response: Response) -> list[Any]:
        if response.status == 304:
            self.crawler.stats.inc_value("newscrawl/not_modified")
            if self.recrawl:
                self.recrawl.fetched(response.url, 304, response.headers, None, response.meta.get("listed_at"))
            return []
        if not isinstance(response, TextResponse):
            return [Rejected(response.url, "not a text page")]
        outcome = await self._parse(response, want_article=True, want_links=False)
        outcome, pages = await self._whole_article(response, outcome)
        return [*pages.items, *self._article_items(response, outcome, pages.raw)]

    # --- articles split over pages -------------------------------------------------------------

    async def _whole_article(self, response: TextResponse, outcome: ParseOutcome) -> tuple[ParseOutcome, _Pages]:
        """An article page's outcome with its other pages merged in, and what became of them.

        Page N > 1 reached on its own: recorded as a page of its first page, which is
        requested (the duplicate filter drops it when it is known already). A first page with
        a single-page view: that view is fetched and its body taken, else its pages are
        fetched in order (a pager showing a window of numbers names more on later pages) up
        to NEWSCRAWL_MAX_ARTICLE_PAGES and merged in the pool. A page that cannot be fetched
        is said (warning, ``newscrawl/article_page_failed``, its Failed state) and the record
        is stored with the pages there are."""
        pages = _Pages()
        pagination = outcome.pagination
        if pagination is None:
            return outcome, pages
        if pagination.is_continuation:
            self.crawler.stats.inc_value("newscrawl/article_page_alone")
            pages.items.extend(self._skip(response.url, f"page {pagination.number} of {pagination.first_url}"))
            if self._wanted(pagination.first_url) and pagination.first_url not in self.article_pages:
                if request := self._article_request(pagination.first_url):
                    pages.items.append(request)
            return outcome, pages
        if outcome.record is None or outcome.invalid:
            return outcome, pages
        first = response.url
        if pagination.single_page_url and (view := await self._fetch_part(pagination.single_page_url, pages)):
            merged = await self._parse(response, want_article=True, want_links=False, parts=(view,),
                                       single_view=True)
            if merged.record is not None and merged.record.body_text != outcome.record.body_text:
                pages.items.extend(self._skip(view.url, f"single-page view of {first}"))
                pages.raw = ((view,), True)
                return self._merged(outcome, merged), pages
            self.logger.info("%s: its single-page view %s gave no text: fetching its pages", first, view.url)
        parts: dict[int, PagePart] = {}
        tried = {1}
        merged = outcome
        while todo := [(n, url) for n, url in pagination.pages if n not in tried]:
            had = len(parts)
            for number, url in todo:
                tried.add(number)
                if number > self.max_article_pages:
                    self.article_pages.add(url)  # not followed as a link either
                    pages.items.extend(self._skip(url, f"budget: page {number} of {first}, past "
                                                       f"NEWSCRAWL_MAX_ARTICLE_PAGES ({self.max_article_pages})"))
                    continue
                if part := await self._fetch_part(url, pages):
                    parts[number] = part
                    pages.items.extend(self._skip(url, f"page {number} of {first}"))
            if len(parts) == had:
                continue  # nothing new to merge: the pages left to try are past the cap or failed
            ordered = tuple(parts[n] for n in sorted(parts))
            attempt = await self._parse(response, want_article=True, want_links=False, parts=ordered)
            if attempt.record is None or attempt.pagination is None:  # cannot happen to a first page that parsed
                self.logger.warning("%s: merging its %d pages failed (%s): stored as one page", first,
                                    len(ordered) + 1, attempt.error or attempt.reason)
                break
            merged, pagination, pages.raw = attempt, attempt.pagination, (ordered, False)
        last = max([n for n, _ in pagination.pages] or [1])
        if last > self.max_article_pages:
            self.crawler.stats.inc_value("newscrawl/article_pages_capped")
            self.logger.warning("%s has %d pages: merged the first %d (NEWSCRAWL_MAX_ARTICLE_PAGES)", first, last,
                                self.max_article_pages)
        if merged is outcome:
            return outcome, pages
        self.crawler.stats.inc_value("newscrawl/articles_merged")
        self.crawler.stats.inc_value("newscrawl/article_pages_merged", len(pages.raw[0]))
        return self._merged(outcome, merged), pages

    @staticmethod
    def _merged(first: ParseOutcome, merged: ParseOutcome) -> ParseOutcome:
        """The merged outcome with the first page's links (the pool was not asked for them again)."""
        merged.links = first.links
        return merged

    async def _fetch_part(self, url: str, pages: _Pages) -> PagePart | None:
        """Another page of an article, fetched now through the downloader (its middlewares:
        politeness, robots.txt, safety), not the scheduler: the merge needs it in hand, and
        the duplicate filter must not drop a page another listing already asked for. A page
        that cannot be had is said: a warning, a stat and its Failed state."""
        self.article_pages.add(url)
        request = scrapy.Request(url, dont_filter=True, meta={"article_page": True})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - every failure of a fetch ends as the page's state
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, IgnoreRequest) and ("robots.txt" in reason or reason.startswith(("refused", "host "))):
                pages.items.extend(self._skip(url, reason))
                return None
            return self._part_failed(url, f"{type(exc).__name__}: {reason}"[:300], pages)
        if response.status >= 400:
            return self._part_failed(url, f"HTTP {response.status}", pages, response.status)
        if not isinstance(response, TextResponse):
            return self._part_failed(url, "not a text page", pages)
        self.crawler.stats.inc_value("newscrawl/pages_ok")
        return PagePart(response.url, response.body, _header_charset(response), response.status)

    def _part_failed(self, url: str, reason: str, pages: _Pages, status: int | None = None) -> None:
        self.crawler.stats.inc_value("newscrawl/article_page_failed")
        self.crawler.stats.inc_value("newscrawl/failed")
        self.logger.warning("article page %s could not be fetched (%s): its article is stored without it", url,
                            reason)
        pages.items.append(Failed(url, f"article page: {reason}", status=status))
        return None

    def _redirected_from(self, response: Response) -> Iterator[Skipped]:
        """The URLs that led here by an HTTP redirect or a meta refresh end in a state too:
        skipped, "redirected to" this page (which gets its own)."""
        reasons = response.meta.get("redirect_reasons") or []
        for n, url in enumerate(response.meta.get("redirect_urls") or []):
            if url != response.url:
                how = reasons[n] if n < len(reasons) else "redirect"
                how = "meta refresh" if how == "meta refresh" else f"HTTP {how}"
                yield from self._skip(url, f"redirected ({how}) to {response.url}")

    # --- articles ------------------------------------------------------------------------------

    async def _parse(self, response: TextResponse, want_article: bool, want_links: bool,
                     parts: tuple[PagePart, ...] = (), single_view: bool = False) -> ParseOutcome:
        """The page parsed in the pool. A page whose worker died is parsed once more by
        another: a worker killed from outside (the OOM killer, an operator) is no fault of
        the page, and a listing page lost that way hid every URL it links to, which then had
        no state at all. A page that kills the second worker too, or ran past the parse
        timeout, may be what kills them: recorded as not parsed, not tried again."""
        assert self.pool is not None
        tries = 0
        while True:
            tries += 1
            try:
                return await self.pool.parse(response.body, response.url, self.options, datetime.now(UTC),
                                             response.status, _header_charset(response), want_article, want_links,
                                             self.script, parts, single_view)
            except WorkerDied as exc:
                self.crawler.stats.inc_value("newscrawl/parse_worker_died")
                if tries > 1 or exc.timed_out:
                    self.logger.error("%s while parsing %s", exc, response.url)
                    return ParseOutcome(error=str(exc))
                self.logger.warning("%s while parsing %s: parsing it once more", exc, response.url)

    def _article_items(self, response: TextResponse, outcome: ParseOutcome,
                       parts: tuple[tuple[PagePart, ...], bool] = ((), False)) -> Iterator[Any]:
        """The items for one parsed article candidate: its Record (and raw page, with the
        ``parts`` it was merged from), or a Rejected; nothing for a page N > 1 (it is skipped)."""
        record = outcome.record
        if record is None and outcome.pagination is not None and outcome.pagination.is_continuation:
            return
        self._count_selectors(outcome)
        if outcome.warnings:
            self.crawler.stats.inc_value("newscrawl/read_with_loss")
            self.logger.warning("%s: %s", response.url, "; ".join(outcome.warnings))
        if record is None:  # a page the parser failed on is not said to be no article
            reason = f"not parsed: {outcome.error}" if outcome.error else f"not an article: {outcome.reason}"
            yield Rejected(response.url, reason)
            return
        if self.since and record.published_at:
            published = datetime.fromisoformat(record.published_at).astimezone(UTC).replace(tzinfo=None)
            if published < self.since:
                yield Rejected(response.url, "skipped: published before --since")
                return
        if self.keep_raw:
            yield RawPage(record.url, record.canonical_url, response.body, _header_charset(response),
                          response.status, record.fetched_at, *parts)
        if self.recrawl:
            self.recrawl.fetched(response.url, response.status, response.headers, record.canonical_url,
                                  response.meta.get("listed_at"))
        if outcome.invalid:  # what the pipelines would have rejected, found by the parse worker
            canonical = record.canonical_url if isinstance(record.canonical_url, str) else None
            yield Rejected(str(record.url), f"invalid: {outcome.invalid}", canonical)
            return
        yield record

    def _count_selectors(self, outcome: ParseOutcome) -> None:
        """Per profile selector: on how many article pages it was tried and matched
        (``newscrawl/selector_pages/FIELD``, ``newscrawl/selector_matched/FIELD``); a selector
        that stops matching is how a user learns the site changed (``newscrawl stats``)."""
        selectors = self.options.selectors
        if not selectors or outcome.record is None:  # counted on articles only: a listing has no byline
            return
        stats = self.crawler.stats
        for name in selectors:
            stats.inc_value(f"newscrawl/selector_pages/{name}")
            if name not in outcome.selector_missed:
                stats.inc_value(f"newscrawl/selector_matched/{name}")

    def _article_request(self, url: str, listed_at: datetime | None = None) -> scrapy.Request | None:
        """A request for an article candidate, or None when an earlier run stored it and
        nothing says it changed."""
        fetch, headers = self.recrawl.decide(url, listed_at) if self.recrawl else (True, {})
        if not fetch:
            self._known(url)
            return None
        return scrapy.Request(url, callback=self.parse_article_page, errback=self.failed, headers=headers or None,
                              meta={"listed_at": listed_at, "handle_httpstatus_list": [304]})

    # --- discovery -----------------------------------------------------------------------------

    def _follow_entries(self, response: Response, entries: list[Entry]) -> Iterator[Any]:
        for entry in entries:
            url = response.urljoin(entry.url)
            if url in self.article_pages:  # merged into its article already: it has its state
                continue
            if not self._wanted(url, allow_xml=True):
                scheme = urlsplit(url).scheme
                if scheme not in ("http", "https"):  # listed on purpose: recorded, not dropped
                    self.crawler.stats.inc_value("newscrawl/refused_scheme")
                    yield from self._skip(url, f"refused: {scheme}: URLs are never fetched")
                continue
            if self.since and entry.date and entry.date < self.since:
                self.crawler.stats.inc_value("newscrawl/skipped_since")
                yield from self._skip(url, "listed before --since")
                continue
            if entry.is_sitemap or url.endswith((".xml", ".xml.gz")):
                yield scrapy.Request(url, callback=self.parse, errback=self.failed)
            elif self.profile is None or self.profile.is_article_url(url) is not False:
                if request := self._article_request(url, entry.date):
                    yield request

    def _follow_links(self, links: list[str], listing_of: str | None = None) -> Iterator[Any]:
        """Requests for the links of one page. ``listing_of``: the page's URL shape when it is
        a listing (not an article), so its pagination is marked."""
        followed = 0
        for url in dict.fromkeys(links):
            if not self._wanted(url) or url in self.article_pages:
                continue
            if followed >= self.max_links:
                self.crawler.stats.inc_value("newscrawl/skipped_link_cap")
                yield from self._skip(url, f"budget: more than {self.max_links} links on one page")
                continue
            followed += 1
            rule = self.profile.is_article_url(url) if self.profile else None
            if rule is True:
                if request := self._article_request(url):
                    yield request
                continue
            if self.recrawl and not self.recrawl.decide(url)[0]:
                self._known(url)
                continue
            if self.non_articles[url_template(url)] >= self.template_budget:
                self.crawler.stats.inc_value("newscrawl/skipped_trap")
                yield from self._skip(url, f"budget: {self.template_budget} non-article pages of this URL shape "
                                           "(pagination or calendar trap)")
                continue
            if rule is False and self.listing_pages >= self.max_listing_pages:
                self.crawler.stats.inc_value("newscrawl/skipped_listing_budget")
                yield from self._skip(url, f"budget: {self.max_listing_pages} listing pages")
                continue
            if rule is False and self.profile and self.profile.listing_patterns and \
                    not any(re.search(p, url) for p in self.profile.listing_patterns):
                continue
            pagination = listing_of is not None and (url_template(url) == listing_of or rule is False)
            yield scrapy.Request(url, callback=self.parse, errback=self.failed,
                                 meta={"pagination": True} if pagination else None)

    def _known(self, url: str) -> None:
        """Count a stored, unchanged URL that is not fetched again, once per run however many
        pages link to it (the run's "unchanged" count is per URL)."""
        if url not in self.known_urls:
            self.known_urls.add(url)
            self.crawler.stats.inc_value("newscrawl/skipped_known")

    def _skip(self, url: str, reason: str) -> Iterator[Skipped]:
        """A Skipped outcome, once per URL and run (a trap links to the same pages many times)."""
        if url not in self.skipped_urls:
            self.skipped_urls.add(url)
            self.crawler.stats.inc_value("newscrawl/skipped")
            yield Skipped(url, reason)

    def failed(self, failure: Any) -> Iterator[Any]:
        """Every request that ends without a response ends in a recorded state."""
        request = failure.request
        attempts = int(request.meta.get("retry_times", 0)) + 1
        exc = failure.value
        if isinstance(exc, HttpError):
            status = exc.response.status
            outcome: Failed | Skipped = Failed(request.url, f"HTTP {status}", attempts, status=status)
        elif isinstance(exc, IgnoreRequest):
            reason = str(exc) or "ignored"
            if "robots.txt" in reason or reason.startswith(("refused", "host ", "budget:")):
                outcome = Skipped(request.url, reason)
            else:
                outcome = Failed(request.url, reason, attempts)
        else:
            name = type(exc).__name__
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            outcome = Failed(request.url, f"{name}: {detail}" if detail else name, attempts)
        self.crawler.stats.inc_value("newscrawl/failed" if isinstance(outcome, Failed) else "newscrawl/skipped")
        if request.meta.get("start"):
            self.crawler.stats.inc_value("newscrawl/start_failed")
            self.logger.warning("start point %s: %s", outcome.url, outcome.reason)
        self.logger.info("%s %s: %s", type(outcome).__name__.lower(), outcome.url, outcome.reason)
        yield outcome

    def owns_host(self, host: str) -> bool:
        """Whether ``host`` is this crawl's site: a start point's host or an allowed domain,
        subdomains included (links elsewhere are not followed; fetch options stay here)."""
        hosts = self.allowed_hosts
        return bool(host) and (host in hosts or any(host.endswith("." + h) for h in hosts if h))

    def _wanted(self, url: str, allow_xml: bool = False) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not self.owns_host(parts.hostname or ""):
            return False
        if SKIP_PATHS.search(parts.path):
            return False
        if self.profile and any(re.search(p, url) for p in self.profile.deny_patterns):
            return False
        if SKIP_EXTENSIONS.search(parts.path) and not (allow_xml and parts.path.endswith((".xml", ".xml.gz"))):
            return False
        return True


@dataclass
class _Pages:
    """What fetching an article's other pages made: the items to yield before its record
    (their states, a request for a first page) and, for the raw page, the parts it was
    merged from and whether they are its single-page view."""

    items: list[Any] = field(default_factory=list)
    raw: tuple[tuple[PagePart, ...], bool] = ((), False)


def _is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.path in ("", "/") and not parts.query


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def _header_charset(response: TextResponse) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    match = re.search(r"charset=([\w-]+)", content_type, re.I)
    return match.group(1) if match else None


def _listing_reason(profile: SiteProfile | None, url: str) -> str:
    """Why a page the profile's rules say is no article ends ``rejected``: every fetched URL
    ends in a state, a listing page too."""
    if profile is not None and any(re.search(p, url) for p in profile.listing_patterns):
        return "not an article: a listing page (the profile's listing rule)"
    return "not an article: followed as a listing (the profile's article rules do not match it)"
