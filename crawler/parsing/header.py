"""The meta line: the short texts right after the headline, where a page states its date,
source (来源), authors (作者) and counts, and where an element stands (comments, teasers).

Dates, authors, source and counts all read it; it is computed once per page (``meta_line``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from crawler.parsing.dates import NUMERIC
from crawler.parsing.headline import headline_element, headline_meta_parts
from crawler.parsing.page import Page, per_page, search_ignorecase, squash
from crawler.parsing.sources import attempt

_COMMENTISH = re.compile(r"comment|reply|respond|discuss|pinglun|评论|留言", re.I)
YEAR = re.compile(r"(?:19|20)\d\d")
_META_BOX = re.compile(r"(?:^|[\s_-])(?:meta|post-?meta|entry-?meta|article-?meta|byline|dateline)(?:$|[\s_-])", re.I)
_OTHER_POSTS = re.compile(r"related|recommend|similar|more-?stories|read-?more|teaser|sidebar|widget|embed|"
                          r"other-?posts|also-?read|trending|popular|newsletter|twitter-tweet|instagram|"
                          r"next-?post|prev-?post|previous-?post|post-?navigation", re.I)
_LABEL_ONLY = re.compile(r"(?:^|[\s|丨/·•])(?P<label>作者|撰文|记者|記者|文|来源|來源|信息来源|本文来源|稿源|出处|author|source)\s*[:：]?\s*$", re.I)


def in_comments(el: Any) -> bool:
    """Inside a comment thread (an ancestor classed or named comment, reply, 评论...)."""
    node = el
    while node is not None:
        if isinstance(node.tag, str):
            marker = f'{node.get("class", "")} {node.get("id", "")}'
            if marker.strip() and search_ignorecase(_COMMENTISH, marker) and node.tag not in ("html", "body"):
                return True
        node = node.getparent()
    return False


def in_other_posts(el: Any) -> bool:
    """Inside a related/recommended teaser, an embed, or a sidebar: those dates are other pages'."""
    node = el
    for _ in range(12):
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return False
        marker = f'{node.get("class", "")} {node.get("id", "")}'
        if node.tag in ("blockquote", "iframe") or node.tag == "aside" and not _META_BOX.search(marker):
            return True  # (an <aside class="meta"> is the article's own date and byline box)
        if len(marker) > 1 and _OTHER_POSTS.search(marker):
            return True
    return False



#: how many pieces of the meta line are read
HEADER_PIECES = 40


@dataclass(frozen=True, slots=True)
class MetaLine:
    """The meta line of a page: the text pieces after the headline (see ``meta_line``)."""

    #: the pieces in reading order: the meta line a headline element holds itself first
    #: (``<h1>Title<span>发布时间… 来源…</span></h1>``), then those after the headline
    texts: list[str] = field(default_factory=list)
    #: the element holding each piece after the headline (the walk's pieces: ``nodes[i]`` is
    #: the element of the i-th piece after the headline, not counting the headline's own)
    nodes: list[Any] = field(default_factory=list)
    #: the walk's indexes (as for ``nodes``) of pieces read from a ``<time datetime>``
    #: attribute because the element's text was relative ("1 minute ago") or had no year
    from_attribute: frozenset[int] = frozenset()


@per_page
def meta_line(page: Page) -> MetaLine:
    """Short text pieces right after the headline in document order, up to the body's start:
    where the meta line (date, 来源, 作者, counts) of an article lives. An element's tail
    comes after its children's text, as a reader sees it. A headline element that holds the
    meta line itself (PHPCMS-style ``<h1>Title<span>发布时间… 来源… 作者…</span></h1>``) gives
    its pieces first. Computed once per page; a page whose walk fails has none (logged)."""
    h1 = headline_element(page)
    if h1 is None:
        return MetaLine()
    walked = attempt(_walk_header, page, h1)
    if walked is None:
        return MetaLine()
    texts, nodes, from_attribute = walked
    own = headline_meta_parts(h1)
    if own:
        texts = [squash(t) for part in own for t in part.itertext() if t.strip()] + texts
    return MetaLine(texts, nodes, from_attribute)


def header_texts(page: Page, limit: int = HEADER_PIECES) -> list[str]:
    """The first ``limit`` pieces of the page's meta line (``meta_line``)."""
    return meta_line(page).texts[:limit]


def _events_after(el: Any) -> Iterator[tuple[str, Any]]:
    """What ``etree.iterwalk(root, events=("start", "end"))`` yields after ``el``'s end,
    without walking (in Python) the whole page above it: each following sibling's
    subtree, then the parent's end, then the parent's following siblings, and so up.
    Comments and processing instructions only get a start and an end."""
    node = el
    while True:
        for sib in node.itersiblings():
            if isinstance(sib.tag, str):
                yield from etree.iterwalk(sib, events=("start", "end"))
            else:
                yield "start", sib
                yield "end", sib
        node = node.getparent()
        if node is None:
            return
        yield "end", node


def _walk_header(page: Page, h1: Any, limit: int = HEADER_PIECES) -> tuple[list[str], list[Any], frozenset[int]]:
    """``meta_line``'s walk after the headline ``h1``: (pieces, the element of each, the
    pieces read from a ``<time datetime>``)."""
    out: list[str] = []
    nodes: list[Any] = []
    from_attribute: set[int] = set()
    text = (h1.tail or "").strip()
    if text:
        out.append(text)
        nodes.append(h1.getparent())
    for event, node in _events_after(h1):
        if not isinstance(node.tag, str):
            continue
        if event == "start" and (stated := node.get("data-date") or node.get("data-datetime")) \
                and YEAR.search(stated) and len(stated) <= 40:
            out.append(stated.strip())  # a header element's date attribute (a timeline's marker)
            nodes.append(node)
        raw = node.text if event == "start" else node.tail
        if event == "start" and node.tag in ("script", "style", "noscript", "template"):
            raw = None
        text = (raw or "").strip()
        if not text:
            continue
        if len(text) > 160:
            break
        if event == "start" and node.tag == "time" and not YEAR.search(text) and YEAR.search(node.get("datetime", "")):
            # a <time> that reads "1 minute ago" or "Mar 18" states the full value in its attribute
            text = node.get("datetime").strip()
            from_attribute.add(len(out))
        out.append(text)
        nodes.append(node if event == "start" else node.getparent())
        if len(out) >= limit:
            break
    return out, nodes, frozenset(from_attribute)


@per_page
def header_labels(page: Page) -> dict[str, str]:
    """``来源`` / ``作者`` values of the meta line: a label and its value are often separate
    pieces (``来源:`` + ``<a>证券市场红周刊</a>``; ``作者`` + ``<span>魏星</span>``). Computed
    once per page."""
    found: dict[str, str] = {}
    texts = header_texts(page)
    for i, text in enumerate(texts):
        match = _LABEL_ONLY.search(text)
        if match and i + 1 < len(texts):
            kind = "author" if match.group("label").lower() in ("作者", "撰文", "记者", "記者", "文", "author") else "source"
            value = re.split(r"\s+|[|丨]", texts[i + 1].strip())[0]
            if value and not _LABEL_ONLY.search(value) and not NUMERIC.search(value) and not value.isdigit():
                found.setdefault(kind, value)
    return found

