"""The generic news spider: start pages, sitemaps, feeds, listing pages and pagination.

Every HTML response on the allowed hosts is offered to the parser (or, when the site
profile has article URL rules, only the URLs they match): an article becomes a Record,
anything else a ``Rejected`` outcome (recorded, not lost) whose links are followed.
Sitemaps and RSS/Atom feeds are recognised by content, so a start URL can be any of them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse

from crawler.parsing import NotAnArticle, ParseOptions, parse_article
from crawler.parsing.dates import iso
from crawler.profiles import SiteProfile
from storage.repository import RawPage, Rejected

SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|css|js|json|pdf|zip|rar|gz|7z|mp[34]|avi|mov|wmv|flv|apk|exe|dmg|docx?|xlsx?"
    r"|pptx?)$", re.I)
SKIP_PATHS = re.compile(r"/(?:login|logout|register|signup|signin|search|cart|account|wp-admin|wp-login|cmd\.php)\b",
                        re.I)


class NewsSpider(scrapy.Spider):
    """Crawl a site from a profile, or from ``start_urls`` (list or comma-separated string)."""

    name = "news"

    def __init__(self, start_urls: str | list[str] | None = None, site: str | None = None,
                 follow: bool | str = True, profile: SiteProfile | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        urls = start_urls.split(",") if isinstance(start_urls, str) else list(start_urls or [])
        self.profile = profile
        if profile is not None:
            urls = [*urls, *profile.start_urls, *profile.sitemaps, *profile.feeds]
        self.start_urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
        if not self.start_urls:
            raise ValueError("the news spider needs at least one start URL or a profile with start_urls")
        domains = list(profile.allowed_domains) if profile and profile.allowed_domains else []
        self.allowed_hosts = {urlsplit(u).hostname for u in self.start_urls} | set(domains)
        self.follow = str(follow).lower() not in ("0", "false", "no")
        self.options = profile.parse_options() if profile else ParseOptions(site=site)
        if site and profile is None:
            self.options = ParseOptions(site=site)
        self.keep_raw = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.keep_raw = crawler.settings.getbool("NEWSCRAWL_KEEP_RAW")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield Rejected(response.url, "not a text page")
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        head = response.body[:512].lstrip().lower()
        if "xml" in content_type or head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<urlset")):
            yield from self._parse_xml(response)
            return
        yield from self._parse_html(response)

    def _parse_html(self, response: TextResponse) -> Iterator[Any]:
        is_article = self.profile.is_article_url(response.url) if self.profile else None
        if is_article is not False:
            fetched = datetime.now(UTC)
            try:
                record = parse_article(response.body, response.url, self.options, http_status=response.status,
                                       fetched_at=fetched, encoding=_header_charset(response))
            except NotAnArticle as exc:
                yield Rejected(response.url, f"not an article: {exc.reason}")
            else:
                if self.keep_raw:
                    yield RawPage(record.url, record.canonical_url, response.body, _header_charset(response),
                                  response.status, iso(fetched) or "")
                yield record
        if self.follow:
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href.strip())
                if self._wanted(url):
                    yield scrapy.Request(url, callback=self.parse)

    def _parse_xml(self, response: TextResponse) -> Iterator[Any]:
        """Sitemaps (urlset, sitemapindex) and RSS/Atom feeds: follow every listed URL."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
        try:
            root = etree.fromstring(response.body, parser=parser)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            yield Rejected(response.url, "unreadable XML")
            return
        links = root.xpath("//*[local-name()='loc']/text() | //*[local-name()='item']/*[local-name()='link']/text()"
                           " | //*[local-name()='entry']/*[local-name()='link']/@href")
        for link in links:
            url = response.urljoin(link.strip())
            if self._wanted(url, allow_xml=True):
                yield scrapy.Request(url, callback=self.parse)

    def _wanted(self, url: str, allow_xml: bool = False) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https"):
            return False
        if host not in self.allowed_hosts and not any(host.endswith("." + d) for d in self.allowed_hosts if d):
            return False
        if SKIP_PATHS.search(parts.path):
            return False
        if self.profile and any(re.search(p, url) for p in self.profile.deny_patterns):
            return False
        if SKIP_EXTENSIONS.search(parts.path) and not (allow_xml and parts.path.endswith((".xml", ".xml.gz"))):
            return False
        return True


def _header_charset(response: TextResponse) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    match = re.search(r"charset=([\w-]+)", content_type, re.I)
    return match.group(1) if match else None
