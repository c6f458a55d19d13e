"""Comment and view counts, where the page shows them near the headline."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from lxml import etree

from crawler.parsing.header import header_texts, in_comments
from crawler.parsing.page import (
    Page,
    any_matches,
    element_text,
    in_document_order,
    owners_of_matches,
    xpath,
)
from crawler.parsing.sources import attempt

_COMMENT_COUNT = re.compile(r"(\d[\d,]*)\s*(?:条评论|條評論|条留言|评论|評論|跟帖|跟贴|comments?\b|replies\b)|(?:评论|評論|留言|comments?)\s*[:：(（\[]?\s*(\d[\d,]*)", re.I)
_VIEW_COUNT = re.compile(r"(?:阅读|閱讀|浏览|瀏覽|点击|點擊|围观|阅读量|浏览量|views?|reads?)\s*(?:量|数|次数)?\s*[:：(（]?\s*(\d[\d,]*)\s*(?:次|人)?"
                         r"|(\d[\d,]*)\s*(?:次阅读|次浏览|人阅读|次点击|人浏览|views\b|reads\b)", re.I)



def _number(text: str) -> int | None:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return None


_COUNT_HINT = re.compile(r"评论|評論|comment|pinglun|#comments|阅读|浏览|views?\b", re.I)
_COUNT_HINT_LOWER = re.compile(_COUNT_HINT.pattern)  # the same, for owners_of_matches(ignorecase=True)
# a word of every alternative of _COUNT_HINT (#comments holds comment, views? view), for any_matches
_COUNT_HINT_WORDS = ("评论", "評論", "comment", "pinglun", "阅读", "浏览", "view")
_COMMENT_HINT = re.compile(r"评论|評論|comment|pinglun", re.I)
_VIEW_HINT = re.compile(r"阅读|浏览|views?", re.I)
_DIGITS = re.compile(r"\d[\d,]*")
# One XPath per attribute, not their union: libxml2 merges the node sets of a union with a
# duplicate check of every node against every other (quadratic: 2 of 4 ms on a page with
# 2,400 such attributes), and only the few matching owners need putting in order. Each is
# read as plain strings first (``any_matches``): most pages have no hinted title or href.
_HINTED_ATTRIBUTES = {expr: (etree.XPath(expr, smart_strings=False), etree.XPath(expr))
                      for expr in ("//body//*/@title", "//body//*/@href")}


def _hinted(page: Page, expr: str) -> list[Any]:
    """The owners of the attribute values ``expr`` finds that match ``_COUNT_HINT``: the
    values are searched as plain strings first, and read again as XPath results that know
    their element only when one matches."""
    strings, owned = _HINTED_ATTRIBUTES[expr]
    if not any_matches(strings(page.tree), _COUNT_HINT_LOWER, ignorecase=True, words=_COUNT_HINT_WORDS):
        return []
    return owners_of_matches(owned(page.tree), _COUNT_HINT_LOWER, ignorecase=True)


def _count_candidates(page: Page) -> list[Any]:
    """The elements of the body whose title, class or href (joined by spaces) matches
    ``_COUNT_HINT``, in document order. No hint spans a space, so the values can be
    searched one by one (see ``owners_of_matches``), each attribute's apart."""
    found = [owners for owners in (_hinted(page, "//body//*/@title"),
                                   owners_of_matches(page.body_classes, _COUNT_HINT_LOWER, ignorecase=True),
                                   _hinted(page, "//body//*/@href")) if owners]
    if len(found) > 1:
        return in_document_order([el for owners in found for el in owners])
    return found[0] if found else []


def _count_candidates_plain(page: Page) -> list[Any]:
    """The readable form; _count_candidates must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return [el for el in xpath(page.tree, "//body//*[@title or @class or @href]")
            if _COUNT_HINT.search(f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}')]



class Counts(NamedTuple):
    comments: int | None = None
    views: int | None = None


def _in_meta_line(page: Page, found: Counts) -> Counts:
    """Labelled counts in the meta line after the headline (评论 12, 阅读 3,400, 12 comments)."""
    comments, views = found
    joined = " ".join(header_texts(page))
    if (match := _COMMENT_COUNT.search(joined)):
        comments = _number(match.group(1) or match.group(2))
    if (match := _VIEW_COUNT.search(joined)):
        views = _number(match.group(1) or match.group(2))
    return Counts(comments, views)


def _in_hinted_elements(page: Page, found: Counts) -> Counts:
    """A number in a small element whose title, class or href names comments or views."""
    comments, views = found
    for el in _count_candidates(page):
        if comments is not None and views is not None:
            break
        if len(el) > 2:  # counts are leaves or nearly so
            continue
        text = element_text(el)
        number = _DIGITS.fullmatch(text or "")
        labelled = _VIEW_COUNT.fullmatch(text or "") if views is None else None
        if not number and not labelled:
            continue
        # A count inside a list item that links elsewhere belongs to a teaser, not this article.
        if xpath(el, "ancestor::li[.//a[@href]][1]") and not number:
            continue
        hint = f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}'
        if number and comments is None and _COMMENT_HINT.search(hint):
            comments = _number(text)
        elif views is None and _VIEW_HINT.search(hint):
            # (``labelled`` is a match whenever ``number`` is not: see the test above)
            views = _number(text) if number or labelled is None else _number(labelled.group(1) or labelled.group(2))
    return Counts(comments, views)


def _on_date_line(page: Page, found: Counts) -> Counts:
    """Labelled counts on the line of the labelled publication date (a page without a headline)."""
    comments, views = found
    line = _meta_line(page)
    if views is None and line and (match := _VIEW_COUNT.search(line)):
        views = _number(match.group(1) or match.group(2))
    if comments is None and line and (match := _COMMENT_COUNT.search(line)):
        comments = _number(match.group(1) or match.group(2))
    return Counts(comments, views)


_SOURCES = (_in_meta_line, _in_hinted_elements, _on_date_line)


def extract_counts(page: Page) -> tuple[int | None, int | None]:
    """(comment_count, view_count) where the page shows them near the headline: each source
    fills what the ones before it left open; each is isolated (``sources.attempt``)."""
    found = Counts()
    for source in _SOURCES:
        if found.comments is not None and found.views is not None:
            break
        found = attempt(source, page, found) or found
    return found.comments, found.views


def _meta_line(page: Page) -> str | None:
    """The text of the element holding the labelled publication date (发布时间…), when the
    page has no headline to read its meta line from: its counts stand on the same line."""
    for node in page.body_texts_containing("发布时间", "发表时间", "發佈時間", "发布日期"):
        parent = node.getparent()
        if parent is not None and node.is_tail:  # text after an element belongs to that element's parent
            parent = parent.getparent()
        if parent is None or parent.tag in ("script", "style") or in_comments(parent):
            continue
        text = element_text(parent)
        if len(text) <= 300:
            return text
    return None

