"""Draft a site profile from one article page: ``newscrawl profiles new URL``.

The page is fetched and parsed with the generic parsers; then more article pages of the same
site are found (the sitemaps its robots.txt names, else ``/sitemap.xml``; the feeds the page
links; the page's own links of the same URL shape) and fetched. Selectors are learned on
three pages and checked on up to five others (``crawler.profiles.learn``); the fields that
could not be pinned are named with the reason. Only sitemaps and feeds that answered (and
read as sitemaps or feeds) are proposed.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from crawler.parsing import NotAnArticle, judge_page
from crawler.parsing.page import Page
from crawler.parsing.urls import registered_domain
from crawler.profiles.learn import LEARNED, Learned, Sample, learn
from spiders.discovery import DiscoveryError, kind_of, parse_feed, parse_sitemap, robots_sitemaps

LEARN_PAGES = 3
CHECK_PAGES = 5
MAX_CANDIDATES = 12  # article pages fetched at most, besides the one given

USER_AGENT = "newscrawl/0.1 (profile starter)"


class StarterError(Exception):
    """The page could not be fetched or is not an article."""


def fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    if urlsplit(url).scheme not in ("http", "https"):
        raise StarterError(f"{url!r} is not an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            body = response.read(16 * 1024 * 1024)
            return body, response.headers.get_content_charset()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StarterError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from exc


def article_pattern(path: str) -> str:
    """A URL rule from one article path: numbers become ``\\d+`` and slugs ``[\\w-]+``,
    the fixed parts (sections, extension) stay."""
    out = []
    for segment in path.split("/"):
        stem, dot, ext = segment.rpartition(".") if "." in segment else (segment, "", "")
        if re.fullmatch(r"\d+", stem):
            stem_rx = r"\d+"
        elif re.search(r"[-_]", stem) and re.search(r"[A-Za-z]", stem):
            stem_rx = r"[\w-]+"
        else:
            stem_rx = re.sub(r"\d+", r"\\d+", re.escape(stem))
        out.append(stem_rx + (re.escape(dot + ext) if dot else ""))
    return "/".join(out)


def _sample(url: str, timeout: float) -> Sample | None:
    """The page at ``url`` parsed, or None when it cannot be fetched or is no article."""
    try:
        body, charset = fetch(url, timeout)
    except StarterError:
        return None
    page = Page.from_bytes(body, url, header_encoding=charset)
    try:
        verdict = judge_page(page)
    except NotAnArticle:
        return None
    return Sample(url, page, verdict.record) if verdict.is_article else None


def _document(url: str, timeout: float) -> tuple[str, list[str]] | None:
    """(kind, listed URLs) of a sitemap or feed that answers, else None."""
    try:
        body, _ = fetch(url, timeout)
        kind = kind_of(body)
        if kind == "sitemap":
            return kind, [e.url for e in parse_sitemap(body)]
        if kind == "feed":
            return kind, [e.url for e in parse_feed(body)]
    except (StarterError, DiscoveryError):
        return None
    return None


def discover(url: str, page: Page, timeout: float) -> tuple[list[str], list[str], list[str]]:
    """(sitemaps, feeds, article candidates): the sitemaps robots.txt names (else
    /sitemap.xml) and the feeds the page links, each kept only when it answers as one."""
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    try:
        named = robots_sitemaps(fetch(f"{root}/robots.txt", timeout)[0])
    except StarterError:
        named = []
    sitemaps, feeds, listed = [], [], []
    for candidate in (named or [f"{root}/sitemap.xml"])[:5]:
        found = _document(candidate, timeout)
        if found and found[0] == "sitemap":
            sitemaps.append(candidate)
            children = [u for u in found[1] if u.endswith((".xml", ".xml.gz"))]
            listed += [u for u in found[1] if u not in children]
            for child in children[:2]:
                more = _document(child, timeout)
                listed += more[1] if more else []
    links = page.tree.xpath('//link[@rel="alternate"][contains(@type, "rss") or contains(@type, "atom")]/@href')
    for href in links[:3]:
        feed = page.absolute(href)
        found = _document(feed, timeout) if feed else None
        if feed and found and found[0] == "feed":
            feeds.append(feed)
            listed += found[1]
    listed += [page.absolute(h) or "" for h in page.tree.xpath("//a/@href")]
    return sitemaps, feeds, list(dict.fromkeys(listed))


def _same_shape(url: str, pattern: str, host: str | None) -> bool:
    parts = urlsplit(url)
    return parts.hostname == host and re.search(pattern + "$", parts.path) is not None


def starter_profile(url: str, name: str | None = None, timeout: float = 20.0,
                    notes: list[str] | None = None) -> str:
    """The TOML text of a starter profile for ``url``'s site; ``notes`` receives what the
    user should know (the fields not pinned and why, pages that could not be used)."""
    notes = notes if notes is not None else []
    first = _sample(url, timeout)
    if first is None:
        raise StarterError(f"{url} could not be fetched or does not look like an article; give an article page")
    parts = urlsplit(url)
    pattern = article_pattern(parts.path)
    sitemaps, feeds, listed = discover(url, first.page, timeout)
    samples = [first]
    for candidate in listed:
        if len(samples) >= LEARN_PAGES + CHECK_PAGES or len(samples) > MAX_CANDIDATES:
            break
        if candidate != url and _same_shape(candidate, pattern, parts.hostname):
            if sample := _sample(candidate, timeout):
                samples.append(sample)
    if len(samples) < LEARN_PAGES:
        notes.append(f"only {len(samples)} article page(s) of the site found: selectors learned on those alone")
    learned = learn(samples[:LEARN_PAGES], samples[LEARN_PAGES:])
    return _toml(url, name, first, pattern, sitemaps, feeds, learned, len(samples[:LEARN_PAGES]), notes)


def _toml(url: str, name: str | None, first: Sample, pattern: str, sitemaps: list[str], feeds: list[str],
          learned: Learned, learned_on: int, notes: list[str]) -> str:
    parts = urlsplit(url)
    record = first.record
    name = name or re.sub(r"[^\w.-]", "-", registered_domain(url))
    lines = [f"# Starter profile drafted from {url}",
             f"# Selectors learned on {learned_on} article page(s) of the site, checked on the others below.",
             "# Review every line; try it with `newscrawl profiles test PROFILE URL`.",
             f'name = "{name}"', f'allowed_domains = ["{parts.hostname}"]',
             f'start_urls = ["{parts.scheme}://{parts.netloc}/"]']
    if sitemaps:
        lines.append("sitemaps = [" + ", ".join(f'"{u}"' for u in sitemaps) + "]")
    if feeds:
        lines.append("feeds = [" + ", ".join(f'"{u}"' for u in feeds) + "]")
    if record.language:
        lines.append(f'language = "{record.language}"')
    # only a time carries an offset: a date-only published_at ("2019-09-25") says nothing of the zone
    offset = record.published_at[-6:] if record.published_at and len(record.published_at) > 10 else None
    if offset and re.fullmatch(r"[+-]\d\d:\d\d", offset) and offset != "+00:00":
        lines.append(f'timezone = "{offset}"')
    lines += ["", "[rules]", f"article = ['{pattern}$']", "max_depth = 5", "", "[politeness]", "delay = 1.0",
              "concurrency = 2", "", "[selectors]"]
    for field in LEARNED:
        if field in learned.selectors:
            agree, pages = learned.checked.get(field, (0, 0))
            check = f"agrees with the generic value on {agree} of {pages} other pages" if pages else "not checked"
            lines.append(f'{field} = "{learned.selectors[field]}"   # {check}')
    for field, why in learned.not_pinned.items():
        lines.append(f"# {field}: not pinned: {why}")
        notes.append(f"could not pin {field}: {why}")
    if record.title_spam_prefix:
        lines += ["", "[title]", f'prefixes = ["{record.title_spam_prefix}"]']
    lines.append("")
    return "\n".join(lines)
