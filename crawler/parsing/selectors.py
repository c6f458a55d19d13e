"""Site-profile selectors: what a profile pins for one field, read from the page.

A profile's ``[selectors]`` table maps a record field to a CSS selector, or to an XPath
expression written ``xpath: ...``. Each expression is compiled once per process (an lru
cache keyed by the expression: profiles travel to parse workers as plain strings, and
compiled XPath objects do not pickle) and checked when the profile is loaded
(``compile_selector`` raises ``SelectorError``).

``pinned_values`` reads every selector of a page and gives the raw value of each field it
matched; a field whose selector matches nothing is absent, so the generic extractor fills
it (and the crawl counts the miss). The values go through the same cleaning as generic
ones (``crawler.parsing.judge_page``): dates read in the site's zone, bylines split into
names, text normalised, crumbs cleaned of placeholders and the headline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from cssselect import SelectorError as CssError
from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.parsing.breadcrumb import _clean_trail, _from_container
from crawler.parsing.clean import normalize_text
from crawler.parsing.dates import parse_stamp
from crawler.parsing.datesources import local_midnight, local_zone
from crawler.parsing.page import Page, element_text
from crawler.parsing.people import split_people
from crawler.parsing.rawdates import as_written
from crawler.parsing.record import Crumb, Image, Source
from crawler.parsing.source import parse_source_line

#: the record fields a profile may pin, in record order
SELECTOR_FIELDS = ("title", "body", "summary", "authors", "published_at", "modified_at", "breadcrumb", "category",
                   "tags", "source", "images")
XPATH_PREFIX = "xpath:"
#: the provenance name of a value a profile selector gave
PROFILE = "profile selector"


class SelectorError(ValueError):
    """An expression that is neither valid CSS nor (with ``xpath:``) valid XPath."""


@lru_cache(maxsize=1024)
def compile_selector(expression: str) -> etree.XPath:
    """The compiled form of a profile selector (CSS, or XPath after ``xpath:``)."""
    text = expression.strip()
    if not text:
        raise SelectorError("empty selector")
    try:
        if text.startswith(XPATH_PREFIX):
            return etree.XPath(text[len(XPATH_PREFIX):].strip())
        return CSSSelector(text, translator="html")
    except CssError as exc:
        raise SelectorError(f"not a CSS selector ({exc}); write XPath as 'xpath: //...'") from exc
    except etree.XPathSyntaxError as exc:
        raise SelectorError(f"not an XPath expression: {exc}") from exc


def select(root: Any, expression: str) -> list[Any]:
    """What ``expression`` matches under ``root``: elements and/or strings (an XPath may
    select attributes or text), in document order; [] when it matches nothing or fails."""
    if root is None:
        return []
    try:
        found = compile_selector(expression)(root)
    except (SelectorError, etree.XPathError):
        return []
    if isinstance(found, list):
        return [f for f in found if isinstance(f, str) or isinstance(getattr(f, "tag", None), str)]
    if isinstance(found, str):  # string(...), concat(...)
        return [found] if found.strip() else []
    return []


def select_elements(root: Any, expression: str) -> list[Any]:
    """The elements ``expression`` matches (strings dropped), outermost only."""
    elements = [f for f in select(root, expression) if not isinstance(f, str)]
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _text(node: Any) -> str:
    return normalize_text(str(node) if isinstance(node, str) else element_text(node))


def _texts(nodes: Iterable[Any]) -> list[str]:
    return [t for t in (_text(n) for n in nodes) if t]


def _date(nodes: list[Any], tz: tzinfo, now: datetime, page: Page) -> tuple[str, str | None] | None:
    """(ISO date, raw text) of the first match holding a date: a ``datetime`` or ``content``
    attribute first (the machine value), then the text. The raw text is None when the page
    did not write it as one string (``rawdates.as_written``)."""
    for node in nodes:
        pieces = [str(node)] if isinstance(node, str) else \
            [v for v in (node.get("datetime"), node.get("content"), element_text(node)) if v]
        for raw in pieces:
            stamp = parse_stamp(raw, tz, now)
            if stamp is not None:
                stamp = local_midnight(local_zone(stamp, page), tz)
                return stamp.text(), as_written(page, raw.strip()[:200], stamp, tz, now)
    return None


def _people(nodes: list[Any]) -> list[str]:
    out: list[str] = []
    for text in _texts(nodes):
        for name in split_people(text):
            if name not in out:
                out.append(name)
    return out


def _crumbs(nodes: list[Any], page: Page, title: str | None) -> list[Crumb]:
    elements = [n for n in nodes if not isinstance(n, str)]
    if len(elements) == 1 and len(nodes) == 1 and len(elements[0]) > 0:
        crumbs = _from_container(page, elements[0])  # the trail's box
    else:
        crumbs = [Crumb(_text(n), None if isinstance(n, str) or n.tag != "a" else page.absolute(n.get("href")))
                  for n in nodes]
    return _clean_trail([c for c in crumbs if c.name], title)


def _tags(nodes: list[Any]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        links = [] if isinstance(node, str) else node.xpath(".//a")
        for text in _texts(links) if links else re.split(r"\s*[,，、;；]\s*", _text(node)):
            if text and text not in out:
                out.append(text)
    return out


def _images(nodes: list[Any], page: Page) -> list[Image]:
    out: list[Image] = []
    for node in nodes:
        if isinstance(node, str):
            pics: list[tuple[str | None, str | None]] = [(node, None)]
        else:
            imgs = [node] if node.tag == "img" else node.xpath(".//img")
            pics = [(i.get("src") or i.get("data-src"), i.get("alt")) for i in imgs]
        for src, alt in pics:
            url = page.absolute(src.strip()) if src and src.strip() else None
            if url and not url.startswith("data:") and all(i.src != url for i in out):
                out.append(Image(src=url, alt=normalize_text(alt) or None if alt else None))
    return out


def _source(nodes: list[Any]) -> Source | None:
    for text in _texts(nodes):
        return parse_source_line(text) or Source(name=text[:200])
    return None


def pinned_values(page: Page, selectors: dict[str, str], tz: tzinfo, now: datetime,
                  title: str | None = None) -> dict[str, Any]:
    """The value of each field whose profile selector matched on ``page``, read and cleaned
    as the generic value would be (``body`` is not here: the body extractor reads its own
    container). ``published_at``/``modified_at`` are ``(iso, raw)`` pairs; ``title`` is the
    matched headline text before prefix stripping. A selector that matches nothing, or
    nothing usable, leaves its field out."""
    if page.tree is None:
        return {}
    out: dict[str, Any] = {}
    for name in SELECTOR_FIELDS:  # the title before the breadcrumb, which drops a crumb naming it
        expression = selectors.get(name)
        if name == "body" or not expression:
            continue
        if name == "breadcrumb":
            title = out.get("title", title)
        nodes = select(page.tree, expression)
        if not nodes:
            continue
        value: Any
        if name in ("title", "summary", "category"):
            texts = _texts(nodes)
            value = (texts[0] if name != "summary" else "\n".join(texts)) if texts else None
        elif name in ("published_at", "modified_at"):
            value = _date(nodes, tz, now, page)
        elif name == "authors":
            value = _people(nodes)
        elif name == "breadcrumb":
            value = _crumbs(nodes, page, title)
        elif name == "tags":
            value = _tags(nodes)
        elif name == "images":
            value = _images(nodes, page)
        elif name == "source":
            value = _source(nodes)
        else:
            continue
        if value:
            out[name] = value
    return out


@lru_cache(maxsize=256)
def _compiled_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def is_boilerplate(text: str, patterns: tuple[str, ...]) -> bool:
    """True when a profile's ``[boilerplate] patterns`` match this block (a line or paragraph)."""
    return bool(patterns) and any(p.search(text) for p in _compiled_patterns(patterns))


def drop_boilerplate_html(html: str | None, patterns: tuple[str, ...]) -> str | None:
    """``html`` (a body's HTML: one element per block) without the top-level elements whose
    text a boilerplate pattern matches."""
    if not html or not patterns:
        return html
    import lxml.html

    kept, dropped = [], False
    for part in lxml.html.fragments_fromstring(html):
        if isinstance(part, str):
            kept.append(part)
        elif is_boilerplate(normalize_text(part.text_content()), patterns):
            dropped = True
            if part.tail and part.tail.strip():
                kept.append(part.tail)
        else:
            kept.append(lxml.html.tostring(part, encoding="unicode"))
    return "".join(kept) or None if dropped else html


__all__ = ["PROFILE", "SELECTOR_FIELDS", "SelectorError", "compile_selector", "drop_boilerplate_html",
           "is_boilerplate", "pinned_values", "select", "select_elements"]
