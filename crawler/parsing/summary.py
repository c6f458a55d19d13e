"""Summary (lead / abstract): a labelled block without its label, else the declared description.

``summary_truncated`` is set when the text ends in an ellipsis (… or ...), as CMS
excerpts and description metas usually are.
"""

from __future__ import annotations

import html
import re
from typing import Any

from lxml import etree

from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import AnyWord, Page, element_text, loose, search_ignorecase, squash, xpath
from crawler.parsing.sources import first_found

LABEL = re.compile(r"^\s*(?:【\s*(?:摘要|导读|導讀|导语|導語|提要|内容提要|核心提示)\s*】|(?:摘要|导读|導讀|导语|導語|内容提要|核心提示|提要|"
                   r"summary|abstract|standfirst|tl;?dr)\s*[:：]?)\s*", re.I)
_CLASS_HINT = re.compile(r"summary|abstract|digest|standfirst|dek|excerpt|lead|intro|zhaiyao|daodu|description|desc\b",
                         re.I)


_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


# Any label word at all in the body's text: without one, no block can open with a label
# (searched in the body's text by ``Page.body_has_any``: re.I over a whole page's text costs ~2 ms).
_LABEL_WORDS = AnyWord("摘要", "导读", "導讀", "导语", "導語", "提要", "核心提示", "summary", "abstract", "standfirst",
                       "tl;dr", "tldr")


def extract_summary(page: Page) -> tuple[str | None, bool | None]:
    """(summary, summary_truncated): a block the page labels as its summary (摘要, 导读,
    "Summary:"), else the description the page declares (og:description, meta
    description, the JSON-LD article's description wherever that sits, twitter:description),
    else a block whose class names a lead or summary. On news pages the declared
    description is the standfirst the editors wrote; a class hint alone as often marks a
    newsletter box, a teaser or the site's own blurb. Each source is isolated
    (``sources.first_found``)."""
    text = first_found(_SOURCES, page)
    # Icon-font glyphs (private-use code points such as U+E621) sit inside lead blocks as
    # decoration; they are not text.
    text = squash(_PRIVATE_USE.sub(" ", text)) if text else None
    if not text:
        return None, None
    return text, text.endswith(("…", "...", "。。。"))


def _label_opened(page: Page) -> str | None:
    """A block opened by a summary label (摘要, 导读, "Summary:")."""
    return _labelled_block(page, labels_only=True) if page.body_has_any(_LABEL_WORDS) else None


def _class_hinted(page: Page) -> str | None:
    """A block whose class names a lead or summary."""
    return _labelled_block(page)


def _declared_description(page: Page) -> str | None:
    """The first declared description that is more than the site's name."""
    art = jsonld_article(page)
    ld = art.get("description")
    if isinstance(ld, list):
        ld = next((d for d in ld if isinstance(d, str)), None)
    site = squash(page.meta.get("og:site_name", "")).lower()
    # a description that only repeats the headline (some portals fill og:description so) is none
    titles = {loose(t) for t in (page.doc_title, page.meta.get("og:title"), page.meta.get("twitter:title")) if t}
    for value in (page.meta.get("og:description"), page.meta.get("description"),
                  html.unescape(ld) if isinstance(ld, str) else None, page.meta.get("twitter:description")):
        text = squash(value)
        key = loose(text)
        if len(key) >= 2 and text.lower() != site and key not in titles \
                and not any(len(key) >= 8 and key in t for t in titles):
            return text
    return None


def _labelled_block(page: Page, labels_only: bool = False) -> str | None:
    """The first block that opens with a summary label, or (unless ``labels_only``) whose
    class or id names a summary and that holds no links."""
    body = page.tree.body
    if body is None:
        return None
    for el in body.iter("div", "p", "section", "blockquote", "span"):
        cls, ident = el.get("class"), el.get("id")
        marker = f'{cls or ""} {ident or ""}'
        # Cheap filter before the subtree text (computing it for every div is quadratic on deep
        # pages): the element must carry a summary class hint or open with a label.
        hinted = not labels_only and bool(cls or ident) and search_ignorecase(_CLASS_HINT, marker)
        if not hinted and not LABEL.match(_opening(el)):
            continue
        text = element_text(el)
        if not text or len(text) > 800:
            continue
        if LABEL.match(text):
            stripped = LABEL.sub("", text, count=1).strip()
            if len(stripped) >= 10:
                return stripped
        elif hinted and len(text) >= 20 and not xpath(el, ".//a[string-length(normalize-space()) > 0]"):
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


_SOURCES = (_label_opened, _declared_description, _class_hinted)
