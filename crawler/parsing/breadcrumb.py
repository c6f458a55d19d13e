"""Breadcrumb trail and category.

Sources, most trustworthy first: JSON-LD BreadcrumbList, microdata/RDFa BreadcrumbList,
breadcrumb markup (``nav[aria-label*=breadcrumb]``, ``.breadcrumb``, ``.crumbs``...), then a
visible trail introduced by 当前位置 / 您的位置 / 现在位置 / "You are here". Placeholders for
the current page (正文, 内容, 详情) and the article title itself are not crumbs.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import Page, element_text, squash, xpath
from crawler.parsing.record import Crumb
from crawler.parsing.sources import attempt

PLACEHOLDERS = {"正文", "内容", "正文内容", "详情", "详细内容", "文章", "阅读文章", "content", "article", "current page"}
TRAIL_LABEL = re.compile(r"^\s*(当前位置|您的位置|你的位置|现在位置|所在位置|位置|you are here)\s*[:：]?\s*", re.I)
_SEPARATORS = re.compile(r"^[\s>»›/|\-→＞>:：·]*$")
_MARKUP_TAGS = ("nav", "div", "ol", "ul", "p", "span")
_MARKUP_CLASS_PARTS = ("crumb", "news_path", "position", "place", "location", "daohang", "weizhi")
# "breadcrumb" with any case of each letter, as contains(translate(., "BREADCRUMB",
# "breadcrumb"), "breadcrumb") reads it; a regex, not str.translate, whose table lookups
# cost ~20 ns a character of every class on the page.
_BREADCRUMB = "".join(f"[{c.upper()}{c}]" for c in "breadcrumb")
_TRAIL_NAME = re.compile(_BREADCRUMB)
_TRAIL_CLASS = re.compile("|".join([_BREADCRUMB, *_MARKUP_CLASS_PARTS]))


def _is_trail_markup(el: Any) -> bool:
    """A breadcrumb container by its markup: ``breadcrumb`` in the class, id or aria-label
    (any case of its letters), or a class naming a trail (crumb, position, daohang...)."""
    cls = el.get("class")
    if cls is not None and _TRAIL_CLASS.search(cls):
        return True
    value = el.get("id")
    if value is not None and _TRAIL_NAME.search(value):
        return True
    value = el.get("aria-label")
    return value is not None and _TRAIL_NAME.search(value) is not None


def _is_trail_markup_plain(el: Any) -> bool:
    """The readable form; _is_trail_markup must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    upper = str.maketrans("BREADCRUMB", "breadcrumb")
    cls = el.get("class")
    for value in (cls, el.get("id"), el.get("aria-label")):
        if value and "breadcrumb" in value.translate(upper):
            return True
    return bool(cls) and any(part in cls for part in _MARKUP_CLASS_PARTS)



def _clean_trail(crumbs: list[Crumb], title: str | None) -> list[Crumb]:
    out: list[Crumb] = []
    norm_title = squash(title).lower() if title else None
    for crumb in crumbs:
        name = TRAIL_LABEL.sub("", squash(crumb.name)).strip(" >»›/|")
        if not name or name.lower() in PLACEHOLDERS:
            continue
        if norm_title and (name.lower() == norm_title or (len(name) > 12 and name.lower() in norm_title)):
            continue
        if out and out[-1].name == name:
            continue
        out.append(Crumb(name=name, url=crumb.url))
    return out


def _from_jsonld(page: Page) -> list[Crumb]:
    for obj in page.jsonld_of_type("BreadcrumbList"):
        items = obj.get("itemListElement") or []
        if isinstance(items, dict):
            items = [items]
        rows: list[tuple[float, Crumb]] = []
        for i, el in enumerate(items):
            if not isinstance(el, dict):
                continue
            item: Any = el.get("item")
            name = el.get("name") or (item.get("name") if isinstance(item, dict) else None)
            url = item.get("@id") or item.get("url") if isinstance(item, dict) else item
            if name:
                try:
                    pos = float(el.get("position", i))
                except (TypeError, ValueError):
                    pos = float(i)
                rows.append((pos, Crumb(str(name), page.absolute(url) if isinstance(url, str) else None)))
        if rows:
            return [c for _, c in sorted(rows, key=lambda r: r[0])]
    return []


def _from_microdata(page: Page) -> list[Crumb]:
    if not page.may_contain("BreadcrumbList"):
        return []
    for trail in xpath(page.tree, '//*[contains(@itemtype, "BreadcrumbList") or contains(@typeof, "BreadcrumbList")]'):
        crumbs = []
        for el in xpath(trail, './/*[@itemprop="itemListElement" or @property="itemListElement"]'):
            names = xpath(el, './/*[@itemprop="name" or @property="name"]')
            name = element_text(names[0]) if names else element_text(el)
            links = xpath(el, ".//a/@href") or xpath(el, './/*[@itemprop="item"]/@href')
            crumbs.append(Crumb(name, page.absolute(links[0]) if links else None))
        if crumbs:
            return crumbs
    return []


def _from_container(page: Page, el: Any) -> list[Crumb]:
    """Crumbs from an element holding links and separator text, in document order."""
    crumbs: list[Crumb] = []
    for node in el.iter():
        if node.tag == "a":
            crumbs.append(Crumb(element_text(node), page.absolute(node.get("href"))))
        if node is not el and node.tail and not _SEPARATORS.match(node.tail):
            for piece in re.split(r"\s*(?:>|»|›|/|→|＞|\|)\s*", node.tail):
                if piece.strip() and not _SEPARATORS.match(piece):
                    crumbs.append(Crumb(piece.strip()))
    if el.text and not _SEPARATORS.match(el.text):
        lead = TRAIL_LABEL.sub("", el.text).strip()
        if lead and not _SEPARATORS.match(lead):
            crumbs.insert(0, Crumb(lead))
    return crumbs


def _from_markup(page: Page) -> list[Crumb]:
    for el in page.tree.iter(*_MARKUP_TAGS):  # document order, like the XPath this replaces
        if not _is_trail_markup(el):
            continue
        if len(xpath(el, ".//a")) == 0 or len(element_text(el)) > 300:
            continue
        crumbs = _from_container(page, el)
        if len(crumbs) >= 2 or (crumbs and TRAIL_LABEL.match(element_text(el))):
            return crumbs
    return []


def _from_visible_label(page: Page) -> list[Crumb]:
    # The body's text is searched first (one C-level test), so most pages skip the XPath; the
    # text, unlike the raw HTML, has character references read (a label written as &#20301;
    # &#32622; is found).
    for node in page.body_texts_containing("当前位置", "您的位置", "你的位置", "现在位置", "所在位置"):
        parent = node.getparent()
        while parent is not None and len(xpath(parent, ".//a")) == 0 and parent.getparent() is not None:
            parent = parent.getparent()
        if parent is not None and len(element_text(parent)) < 300:
            crumbs = _from_container(page, parent)
            if crumbs:
                return crumbs
    return []


_SOURCES = (_from_jsonld, _from_microdata, _from_markup, _from_visible_label)


def extract_breadcrumb(page: Page, title: str | None = None) -> list[Crumb]:
    """The article's breadcrumb trail, root first."""
    for source in _SOURCES:
        crumbs = _clean_trail(attempt(source, page) or [], title)  # (a failing source is logged and skipped)
        if crumbs:
            return crumbs
    return []


def extract_category(page: Page, crumbs: list[Crumb]) -> str | None:
    """Deepest crumb below the home page, else article:section, rel=category links or JSON-LD."""
    if len(crumbs) >= 2:
        return crumbs[-1].name
    section = page.meta.get("article:section")
    if section:
        return section
    # the article object wherever its JSON-LD sits (@graph, mainEntity), then any article
    for obj in [jsonld_article(page), *page.jsonld_of_type("NewsArticle", "Article", "BlogPosting",
                                                           "ReportageNewsArticle")]:
        sec = obj.get("articleSection")
        if isinstance(sec, list) and sec:
            sec = sec[0]
        if isinstance(sec, str) and sec.strip():
            return sec.strip()
    links = xpath(page.tree, '//a[contains(concat(" ", normalize-space(@rel), " "), " category ")]') \
        if page.may_contain("category") else []
    if links:
        return element_text(links[0]) or None
    return crumbs[-1].name if crumbs and crumbs[-1].url and len(crumbs) == 1 else None
