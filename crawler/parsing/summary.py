"""Summary (lead / abstract): a labelled block without its label, else the description meta.

``summary_truncated`` is set when the text ends in an ellipsis (… or ...), as CMS
excerpts and description metas usually are.
"""

from __future__ import annotations

import re

from crawler.parsing.page import Page, element_text, search_ignorecase, squash

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
        elif _CLASS_HINT.search(marker) and len(text) >= 20 and not el.xpath(".//a[string-length(normalize-space()) > 0]"):
            if not re.search(r"comment|related|nav|menu|footer|sidebar", marker, re.I):
                return text
    return None


def _opening(el: object) -> str:
    """The first dozen characters of an element's text, read without walking its subtree."""
    text = el.text  # type: ignore[attr-defined]
    if text and len(stripped := text.strip()) >= 12:  # the first piece alone is enough
        return stripped
    out = ""
    for piece in el.itertext():  # type: ignore[attr-defined]
        out += piece.strip()
        if len(out) >= 12:
            break
    return out
