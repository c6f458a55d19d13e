"""Summary (lead / abstract): a labelled block without its label, else the description meta.

``summary_truncated`` is set when the text ends in an ellipsis (… or ...), as CMS
excerpts and description metas usually are.
"""

from __future__ import annotations

import re

from crawler.parsing.page import Page, element_text, squash

LABEL = re.compile(r"^\s*(?:【\s*(?:摘要|导读|導讀|导语|導語|提要|内容提要|核心提示)\s*】|(?:摘要|导读|導讀|导语|導語|内容提要|核心提示|提要|"
                   r"summary|abstract|standfirst|tl;?dr)\s*[:：]?)\s*", re.I)
_CLASS_HINT = re.compile(r"summary|abstract|digest|standfirst|dek|excerpt|lead|intro|zhaiyao|daodu|description|desc\b",
                         re.I)


def extract_summary(page: Page) -> tuple[str | None, bool | None]:
    """(summary, summary_truncated)."""
    text = _labelled_block(page) or page.meta.get("description") or page.meta.get("og:description") \
        or page.meta.get("twitter:description")
    text = squash(text) if text else None
    if not text:
        return None, None
    return text, text.endswith(("…", "...", "。。。"))


def _labelled_block(page: Page) -> str | None:
    body = page.tree.body
    if body is None:
        return None
    for el in body.iter("div", "p", "section", "blockquote", "span"):
        marker = f'{el.get("class", "")} {el.get("id", "")}'
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
