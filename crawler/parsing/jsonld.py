"""The page's JSON-LD: one walker over nested objects, and the object describing this article.

``Page.jsonld`` holds the top-level objects (arrays and ``@graph`` flattened); ``walk`` goes
into nested ones, each caller saying which members to follow.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from crawler.parsing.page import Page, jsonld_types, per_page, squash

#: the types whose object describes the article (a plain ``WebPage`` only when nothing else does)
ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "WebPage", "TechArticle", "LiveBlogPosting", "Report")
#: a page's generic type: an object that is only this is no evidence of an article
PLAIN_PAGE = "WebPage"
#: ARTICLE_TYPES less the plain page type
STORY_TYPES = tuple(t for t in ARTICLE_TYPES if t != PLAIN_PAGE)
# where an object nests the article it is about
_ENTITY_KEYS = ("mainEntity", "mainEntityOfPage", "@graph")


def walk(roots: Iterable[Any], children: Callable[[dict[str, Any], int], Iterable[Any]], *,
         limit: int | None = None, dedupe: bool = False) -> Iterator[tuple[dict[str, Any], int]]:
    """The JSON-LD objects under ``roots`` breadth first, each with its depth (roots 0):
    ``children(obj, depth)`` names what to visit next (objects, or lists of them, opened in
    their turn). ``limit``: at most this many items taken from the queue (lists and
    non-objects count); ``dedupe``: an object met twice is given once."""
    queue: deque[tuple[Any, int]] = deque((item, 0) for item in roots)
    taken = 0
    seen: set[int] = set()
    while queue and (limit is None or taken < limit):
        item, depth = queue.popleft()
        taken += 1
        if isinstance(item, list):
            queue.extend((x, depth) for x in item)
            continue
        if not isinstance(item, dict):
            continue
        if dedupe:
            if id(item) in seen:
                continue
            seen.add(id(item))
        yield item, depth
        queue.extend((child, depth + 1) for child in children(item, depth))


def _nested_entities(obj: dict[str, Any], depth: int) -> list[dict[str, Any]]:
    """The typed objects an object nests as its ``mainEntity``, ``mainEntityOfPage`` or ``@graph``."""
    out = []
    for key in _ENTITY_KEYS:
        value = obj.get(key)
        for sub in value if isinstance(value, list) else [value]:
            if isinstance(sub, dict) and sub.get("@type"):
                out.append(sub)
    return out


@per_page
def jsonld_objects(page: Page) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, including those nested as ``mainEntity`` or
    ``mainEntityOfPage`` of another (page.jsonld already flattens arrays and ``@graph``).
    Computed once per page."""
    return [obj for obj, _ in walk(page.jsonld, _nested_entities, dedupe=True)]


def _same_url(a: Any, b: str) -> bool:
    if isinstance(a, dict):
        a = a.get("@id") or a.get("url")
    if not isinstance(a, str) or not a or not b:
        return False
    strip = re.compile(r"^https?://(?:www\.)?|[?#].*$|/$")
    return strip.sub("", a.strip()) == strip.sub("", b.strip())



@per_page
def jsonld_article(page: Page) -> dict[str, Any]:
    """The JSON-LD object describing this article: of the article-typed objects, one whose
    url / @id / mainEntityOfPage is the page's own URL, else the first that is more than a
    plain WebPage, else the first. A page listing related articles in JSON-LD names other
    pages' headlines too; the URL tells which one is this page. Computed once per page."""
    wanted = set(ARTICLE_TYPES)
    found = [obj for obj in jsonld_objects(page) if jsonld_types(obj) & wanted]
    chosen: dict[str, Any] = {}
    articles = [obj for obj in found if jsonld_types(obj) != {PLAIN_PAGE}]
    if len(articles) > 1:
        urls = [page.url, page.meta.get("og:url", "")]
        chosen = next((obj for obj in articles for key in ("url", "@id", "mainEntityOfPage")
                       if any(_same_url(obj.get(key), u) for u in urls if u)), {})
    if not chosen:
        chosen = articles[0] if articles else found[0] if found else {}
    return chosen


def text_of(value: Any) -> str | None:
    """A JSON-LD text value (a string, or the first string of a list), entities decoded."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    text = squash(html.unescape(value))
    return text or None



def jsonld_names(value: Any) -> list[str]:
    """The names a JSON-LD value gives (a string, an object's ``name``, a list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in jsonld_names(v)]
    return []
