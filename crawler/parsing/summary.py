"""Summary (lead / abstract): a labelled block without its label, else the description meta.

``summary_truncated`` is set when the text ends in an ellipsis (… or ...), as CMS
excerpts and description metas usually are.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.parsing.page import Page, element_text, search_ignorecase, squash, xpath

LABEL = re.compile(r"^\s*(?:【\s*(?:摘要|导读|導讀|导语|導語|提要|内容提要|核心提示)\s*】|(?:摘要|导读|導讀|导语|導語|内容提要|核心提示|提要|"
                   r"summary|abstract|standfirst|tl;?dr)\s*[:：]?)\s*", re.I)
_CLASS_HINT = re.compile(r"summary|abstract|digest|standfirst|dek|excerpt|lead|intro|zhaiyao|daodu|description|desc\b",
                         re.I)


_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def extract_summary(page: Page) -> tuple[str | None, bool | None]:
    """(summary, summary_truncated)."""
    text = _labelled_block(page) or page.meta.get("description") or page.meta.get("og:description") \
        or page.meta.get("twitter:description")
    # Icon-font glyphs (private-use code points such as U+E621) sit inside lead blocks as
    # decoration; they are not text.
    text = squash(_PRIVATE_USE.sub(" ", text)) if text else None
    if not text:
        return None, None
    return text, text.endswith(("…", "...", "。。。"))


def _labelled_block(page: Page) -> str | None:
    body = page.tree.body
    if body is None:
        return None
    for el in body.iter("div", "p", "section", "blockquote", "span"):
        cls, ident = el.get("class"), el.get("id")
        marker = f'{cls or ""} {ident or ""}'
        # Cheap filter before the subtree text (computing it for every div is quadratic on deep
        # pages): the element must carry a summary class hint or open with a label.
        hinted = bool(cls or ident) and search_ignorecase(_CLASS_HINT, marker)
        if not hinted and not LABEL.match(_opening(el)):
            continue
        text = element_text(el)
        if not text or len(text) > 800:
            continue
        if LABEL.match(text):
            stripped = LABEL.sub("", text, count=1).strip()
            if len(stripped) >= 10:
                return stripped
        elif _CLASS_HINT.search(marker) and len(text) >= 20 and not xpath(el, ".//a[string-length(normalize-space()) > 0]"):
            if not re.search(r"comment|related|nav|menu|footer|sidebar", marker, re.I):
                return text
    return None


def _opening(el: Any) -> str:
    """The first dozen characters of an element's text, read without walking its subtree:
    its ``itertext()`` pieces, each stripped, joined until there are 12 characters.

    Read by ``_opening_from``, not ``itertext()``, whose iterator costs more to build than
    the few pieces it is asked for (an opening is asked of every div, p and span)."""
    text = el.text
    if text and len(stripped := text.strip()) >= 12:  # the first piece alone is enough
        return stripped
    if not len(el):  # a leaf (most elements are): its text is all there is
        return text.strip() if text else ""
    try:
        return _opening_from(el, "")
    except _OddNode:
        return _opening_plain(el)


class _OddNode(Exception):
    """A node other than an element, comment or processing instruction (an entity reference,
    which HTML parsing does not make), whose text ``itertext()`` is left to handle."""


def _opening_from(el: Any, out: str) -> str:
    """``out`` followed by ``el``'s text pieces in ``itertext()`` order (its text, then each
    child's pieces and the child's tail; of a comment or processing instruction only the
    tail), stopping once there are 12 characters."""
    text = el.text
    if text and len(out := out + text.strip()) >= 12:
        return out
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if len(out := _opening_from(child, out)) >= 12:
                return out
        elif tag is not etree.Comment and tag is not etree.ProcessingInstruction:
            raise _OddNode
        tail = child.tail
        if tail and len(out := out + tail.strip()) >= 12:
            return out
    return out


def _opening_plain(el: Any) -> str:
    """``_opening`` by ``itertext()`` itself."""
    out = ""
    for piece in el.itertext():
        out += piece.strip()
        if len(out) >= 12:
            break
    return out
