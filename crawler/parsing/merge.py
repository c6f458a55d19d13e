"""One record from an article split over several pages (``crawler.parsing.pagination``).

The first page gives everything but the body (title, dates, authors, summary, breadcrumb...:
the CMS prints them there, and later pages repeat them or carry none); every page gives its
body, appended in page order: text blocks, body HTML, images and their captions. What every
page repeats is kept once: the pager itself ("上一页 1 2 3 下一页", one block or one block
per link) is dropped from every page, and a continuation page's leading or trailing blocks
already read on an earlier page (a repeated headline, lead, editor line or share bar the
extractor kept) are left out. The content hash is taken over the merged text, so the
store's deduplication and versions compare whole articles: a re-crawl where page 2 changed
is a new version.

A single-page view (``Pagination.single_page_url``, fetched instead of walking the pages)
is merged with ``single_view=True``: its body replaces the first page's.

Pure: pages (already decoded ``Page`` objects, in order) in, a ``Verdict`` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from crawler.parsing import ParseOptions, Verdict, article_body, article_text, judge_page
from crawler.parsing.clean import content_hash, normalize_text
from crawler.parsing.page import Page
from crawler.parsing.pagination import is_pager_line, pager_blocks
from crawler.parsing.record import Image


def _kept_html(html: str | None, blocks: list[str], keep: list[bool]) -> str | None:
    """``html`` (a body's HTML: one top-level element per block, in order, images between)
    without the elements of the blocks ``keep`` leaves out. Elements are matched to blocks
    by their text in order; one that matches no block (a figure) stays."""
    if not html or all(keep):
        return html
    import lxml.html

    kept: list[str] = []
    at = 0
    for part in lxml.html.fragments_fromstring(html):
        if isinstance(part, str):
            kept.append(part)
            continue
        text = normalize_text(part.text_content())
        if is_pager_line(normalize_text(" ".join(part.itertext()))):  # the pager as one element (a list)
            while at < len(blocks) and not keep[at]:
                at += 1
            if part.tail and part.tail.strip():
                kept.append(part.tail)
            continue
        if at < len(blocks) and text and text == blocks[at]:
            at += 1
            if not keep[at - 1]:
                if part.tail and part.tail.strip():
                    kept.append(part.tail)
                continue
        kept.append(lxml.html.tostring(part, encoding="unicode"))
    return "".join(kept) or None


def _keep(blocks: list[str], seen: set[str]) -> list[bool]:
    """Which blocks of a page to keep: not the pager, and on a continuation page (``seen``:
    the blocks of the pages before) not the leading and trailing blocks read already."""
    pager = pager_blocks(blocks)
    keep = [i not in pager for i in range(len(blocks))]
    if seen:
        for order in (range(len(blocks)), range(len(blocks) - 1, -1, -1)):
            for i in order:
                if keep[i] and blocks[i] not in seen:
                    break
                keep[i] = False
    return keep


def judge_pages(pages: Sequence[Page], options: ParseOptions | None = None, fetched_at: datetime | None = None,
                http_status: int | None = None, *, single_view: bool = False,
                page_count: int | None = None) -> Verdict:
    """The first page's verdict with the body of every page (``pages``, in order) merged into
    its record, ``page_count`` set to the number of pages merged. ``single_view``: ``pages``
    is the first page and the whole article on one page, whose body becomes the text, and
    ``page_count`` the number of pages the article spans (its pager's highest number).
    Raises NotAnArticle like ``judge_page`` when the first page gives no record."""
    opts = options or ParseOptions()
    verdict = judge_page(pages[0], opts, fetched_at, http_status)
    if len(pages) < 2:
        return verdict
    record = verdict.record
    warnings = list(verdict.warnings)
    if single_view:
        parts = [pages[1]]
        texts: list[str] = []
        htmls: list[str | None] = []
        images: list[Image] = []
    else:
        parts = list(pages[1:])
        texts = record.body_text.split("\n")
        keep = _keep(texts, set())
        htmls = [_kept_html(record.body_html, texts, keep)]
        texts = [t for t, k in zip(texts, keep, strict=True) if k]
        images = list(record.images)
    for number, page in enumerate(parts, 2):
        what = f"single-page view {page.url}" if single_view else f"page {number} ({page.url})"
        if not page.decoded_cleanly:
            warnings.append(f"{what}: {page.replaced_chars} undecodable byte sequence(s) replaced")
        body, blocks, _ = article_body(page, record.title, opts)
        keep = _keep(blocks, set(texts))
        new = [b for b, k in zip(blocks, keep, strict=True) if k]
        if not new:
            warnings.append(f"{what}: no body text found")
            continue
        texts.extend(new)
        htmls.append(_kept_html(body.html, blocks, keep))
        images.extend(body.images)
    if not texts:  # a single-page view with no text: the first page stands
        return replace(verdict, warnings=tuple(warnings))
    merged = replace(record, body_text="\n".join(texts), body_html="\n".join(h for h in htmls if h) or None,
                     images=_unique_images(images), content_hash=content_hash(article_text(texts)),
                     page_count=page_count if single_view else len(pages))
    return replace(verdict, record=merged, warnings=tuple(warnings))


def _unique_images(images: list[Image]) -> list[Image]:
    """Images in order, each source once (a logo or lead picture every page repeats)."""
    seen: set[str] = set()
    kept = []
    for image in images:
        if image.src not in seen:
            seen.add(image.src)
            kept.append(image)
    return kept


__all__ = ["judge_pages"]
