"""Reading discovery documents: sitemaps (index, urlset, Google News), RSS, Atom and JSON Feed.

Pure functions over bytes, so each format is tested without a crawl. XML is parsed with
entity resolution and network access off (an entity bomb stays an unexpanded entity) and
a size cap on gzip'd sitemaps.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from crawler.parsing.dates import parse_date

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for an uncompressed file


@dataclass(frozen=True, slots=True)
class Entry:
    """A URL listed by a sitemap or feed, with the date it was listed with (if any)."""

    url: str
    date: datetime | None = None
    is_sitemap: bool = False


class DiscoveryError(ValueError):
    """A discovery document that cannot be read (too large, not XML/JSON...)."""


def maybe_gunzip(body: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress a gzip'd sitemap (served as a file, not as Content-Encoding) up to ``limit`` bytes."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
        while chunk := handle.read(64 * 1024):
            out.write(chunk)
            if out.tell() > limit:
                raise DiscoveryError(f"gzip'd document larger than {limit} bytes when decompressed")
    return out.getvalue()


def _xml(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True,
                             load_dtd=False)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None


def kind_of(body: bytes, content_type: str = "") -> str | None:
    """``sitemap``, ``feed``, ``jsonfeed`` or None (HTML or unknown)."""
    head = maybe_gunzip(body)[:2048].lstrip().lower() if body[:2] == b"\x1f\x8b" else body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if head.startswith(b"{") and b"jsonfeed.org" in head:
        return "jsonfeed"
    if "json" in content_type and b'"items"' in body[:65536]:
        return "jsonfeed"
    return None


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    value = parse_date(text.strip(), UTC)
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def parse_sitemap(body: bytes) -> list[Entry]:
    """URLs of a urlset (with lastmod, or news:publication_date when newer) or child sitemaps of an index."""
    root = _xml(maybe_gunzip(body))
    if root is None:
        raise DiscoveryError("not a readable sitemap")
    is_index = _local(root) == "sitemapindex"
    entries = []
    for node in root:
        if _local(node) not in ("url", "sitemap"):
            continue
        loc = lastmod = published = None
        for child in node.iter():
            name = _local(child)
            if name == "loc" and loc is None:
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = _date(child.text)
            elif name == "publication_date":
                published = _date(child.text)
        if loc:
            dates = [d for d in (lastmod, published) if d]
            entries.append(Entry(loc, max(dates) if dates else None, is_index))
    return entries


def parse_feed(body: bytes) -> list[Entry]:
    """Item links of RSS 0.9x/1.0/2.0 and Atom feeds with their published/updated dates."""
    root = _xml(body)
    if root is None:
        raise DiscoveryError("not a readable feed")
    entries = []
    for item in root.iter():
        if _local(item) not in ("item", "entry"):
            continue
        link = None
        dates = []
        for child in item:
            name = _local(child)
            if name == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href and rel == "alternate" and link is None:
                    link = href.strip()
                elif not href and child.text and link is None:
                    link = child.text.strip()
            elif name == "guid" and link is None and child.get("isPermaLink", "true") == "true" \
                    and (child.text or "").startswith("http"):
                link = (child.text or "").strip()
            elif name in ("pubDate", "published", "updated", "date", "modified"):
                if d := _date(child.text):
                    dates.append(d)
        if link:
            entries.append(Entry(link, max(dates) if dates else None))
    return entries


def parse_json_feed(body: bytes) -> list[Entry]:
    """Items of a JSON Feed (https://jsonfeed.org) with date_modified/date_published."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DiscoveryError("not a readable JSON feed") from exc
    entries = []
    for item in data.get("items", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url") or (item.get("id") if str(item.get("id", "")).startswith(
            "http") else None)
        if isinstance(url, str):
            dates = [d for d in (_date(item.get("date_modified")), _date(item.get("date_published"))) if d]
            entries.append(Entry(url, max(dates) if dates else None))
    return entries


_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


def robots_sitemaps(body: bytes) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in order, each once (the directive is
    case-insensitive and stands outside any user-agent group)."""
    text = body[:512 * 1024].decode("utf-8", "replace")
    return list(dict.fromkeys(m.group(1).strip() for m in _SITEMAP_LINE.finditer(text)))


_DIGITS = re.compile(r"\d+")


def url_template(url: str) -> str:
    """The URL's shape with every number folded (``/list?page=7`` -> ``/list?page=#``): pages of
    one template past a budget are a pagination or calendar trap."""
    return _DIGITS.sub("#", url.split("#", 1)[0])
