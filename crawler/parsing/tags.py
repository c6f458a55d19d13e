"""Article tags: article:tag meta, visible tag links, else JSON-LD keywords."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.parsing.header import in_comments
from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import (
    Page,
    element_text,
    squash,
)
from crawler.parsing.sources import first_found

_REL_TAG_LINKS = ('//body//a[@rel and contains(concat(" ", normalize-space(@rel), " "), " tag ")'
                  ' and not(contains(concat(" ", normalize-space(@rel), " "), " category "))]')
_CLASS_TAG_LINKS = '//body//*[contains(@class, "tag") and not(contains(@class, "stage"))]//a[not(ancestor::nav)]'
_TAG_LINKS = etree.XPath(f"{_REL_TAG_LINKS} | {_CLASS_TAG_LINKS}")
_LINK_RELS = etree.XPath("//body//a/@rel", smart_strings=False)


def _tag_links(page: Page) -> list[Any]:
    """Links marked as tags: rel="tag" (not "category"), or inside an element classed *tag*
    (not *stage*) and outside navigation, in document order.

    The rel half runs as XPath only when some rel value of the body holds "tag" at all (its
    string tests over every link cost several times more than reading the values; most
    pages have none). The class half is read from the body's class values (``body_classes``,
    shared with other fields): the XPath's test of every element's class cost ~140 us a page."""
    if "tag" in "\0".join(_LINK_RELS(page.tree)):
        return _TAG_LINKS(page.tree)
    found: list[Any] = []
    seen: set[Any] = set()
    for value in page.body_classes:
        if "tag" not in value or "stage" in value:
            continue
        for link in value.getparent().iterdescendants("a"):
            # owners come in document order: a box inside an earlier one adds only repeats
            if link not in seen and next(link.iterancestors("nav"), None) is None:
                seen.add(link)
                found.append(link)
    return found


def _tag_links_plain(page: Page) -> list[Any]:
    """The readable form; _tag_links must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return page.tree.xpath(f"{_REL_TAG_LINKS} | {_CLASS_TAG_LINKS}")



def _from_meta(page: Page) -> list[str]:
    """article:tag meta tags. A plain loop that reads a meta's content only when its name is
    article:tag (a generator of (name, content) pairs read both of every meta:
    extract_tags 0.63 -> 0.59 M instructions a bench page, callgrind)."""
    found: list[str] = []
    for el in page.tree.iter("meta"):
        key = el.get("property") or el.get("name")
        if key and key.lower() == "article:tag" and (value := el.get("content")):
            found.append(value)
    return found


def _from_meta_plain(page: Page) -> list[str]:
    """The readable form; _from_meta must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return [v for k, v in ((el.get("property") or el.get("name"), el.get("content")) for el in page.tree.iter("meta"))
            if k and k.lower() == "article:tag" and v]


def _from_links(page: Page) -> list[str]:
    """Visible tag links outside comments."""
    return [element_text(a) for a in _tag_links(page) if not in_comments(a)]


def _from_jsonld(page: Page) -> list[str]:
    """JSON-LD keywords (a list, or one comma-separated string)."""
    keywords = jsonld_article(page).get("keywords")
    if isinstance(keywords, str):
        keywords = re.split(r"\s*[,，]\s*", keywords)
    if isinstance(keywords, list):
        return [k for k in keywords if isinstance(k, str)]
    return []


_SOURCES = (_from_meta, _from_links, _from_jsonld)


def extract_tags(page: Page) -> list[str]:
    """Article tags: article:tag meta, visible tag links, else JSON-LD keywords (not meta
    keywords, often SEO spam); each source isolated (``sources.first_found``)."""
    tags = first_found(_SOURCES, page) or []
    out: list[str] = []
    for tag in tags:
        tag = squash(tag).lstrip("#")
        if tag and len(tag) <= 40 and tag not in out:
            out.append(tag)
    return out
