"""From fetched bytes to what the crawl stores: the one path every article page takes.

``process_page`` parses the page once (``crawler.parsing.judge_page``: the same verdict
``newscrawl parse`` prints), cleans the record (``clean_record``: normalised text, sanitised
HTML, the profile's script), checks it (``article_problem``: what the crawl and the store
refuse) and signs it (the near-duplicate signature the store indexes). It runs in a parse
worker (``crawler.speed.parsepool``), inline when there are none, and in ``newscrawl reparse``;
nothing later redoes any of it: the pipeline buffers and the store writes.

An article split over several pages takes the same path with its other pages beside the
first (``parts``): they are merged into one record (``crawler.parsing.merge``) before it is
cleaned, checked and signed, so the content hash and signature cover the whole text. Every
article page's pagination (``crawler.parsing.pagination``) comes back with the outcome: the
spider fetches the pages it names, and a page that is itself page N > 1 of an article
comes back with no record, only the pagination that says whose page it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.parsing import MIN_BODY_CHARS, NotAnArticle, ParseOptions, Record
from crawler.parsing.clean import clean_record, weighs_less
from crawler.parsing.merge import judge_pages
from crawler.parsing.page import Page
from crawler.parsing.pagination import Pagination, detect_pagination
from storage import neardup
from storage.checks import REQUIRED, record_problem
from storage.outcomes import PagePart
from storage.sanitize import join_url


def validation_error(record: Record, min_body_chars: int = MIN_BODY_CHARS) -> str | None:
    """Why ``record`` is not worth storing as an article (a missing title or body, a body
    shorter than ``min_body_chars``: a site profile's ``rules.min_body_chars``, undecodable
    text), or None. Crawl policy rather than a storage limit."""
    for name in REQUIRED:
        if not getattr(record, name):
            return f"missing {name}"
    if weighs_less(record.body_text, min_body_chars):
        return f"body too short ({len(record.body_text)} chars)"
    if "\ufffd" in record.title or record.body_text.count("\ufffd") > 5:
        return "undecodable text (replacement characters)"
    return None


def article_problem(record: Record, min_body_chars: int = MIN_BODY_CHARS) -> str | None:
    """Everything the crawl asks of a cleaned record before it is stored, in one call: not
    worth storing (``validation_error``) or refused by the store (``record_problem``)."""
    return validation_error(record, min_body_chars) or record_problem(record)


@dataclass(slots=True)
class ParseOutcome:
    """What one page yielded: a record or the reason it is not one, and its links; or, for a
    page that could not be parsed at all (a parser exception, a dead worker), the error."""

    record: Record | None = None
    reason: str | None = None
    error: str | None = None
    links: list[str] = field(default_factory=list)
    # What the parser read with loss but kept (``Verdict.warnings``: replaced undecodable bytes).
    warnings: tuple[str, ...] = ()
    # Why the cleaned record may not be stored (``article_problem``), or None.
    invalid: str | None = None
    # ``Verdict.selector_missed``: the profile selectors that matched nothing on the page
    selector_missed: tuple[str, ...] = ()
    # An article page's pagination (None on most pages): on a first page, the other pages it
    # links to (merged: every given page's links); on page N > 1 (then no record), its first page.
    pagination: Pagination | None = None


def process_page(body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                 encoding: str | None, want_article: bool, want_links: bool,
                 script: str | None = None, parts: tuple[PagePart, ...] = (), single_view: bool = False
                 ) -> ParseOutcome:
    """Parse a page once: the article (when wanted) and its absolute link URLs (when wanted).
    ``parts``: the article's other pages, merged into its record (``single_view``: the one
    part is the whole article on one page).
    A parser crash on hostile markup becomes a reason, so the URL still ends in a recorded state."""
    try:
        return _process_page(body, url, options, fetched_at, status, encoding, want_article, want_links, script,
                             parts, single_view)
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        return ParseOutcome(error=f"parser error: {type(exc).__name__}: {str(exc)[:200]}")


def _process_page(body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                  encoding: str | None, want_article: bool, want_links: bool, script: str | None,
                  parts: tuple[PagePart, ...], single_view: bool) -> ParseOutcome:
    page = Page.from_bytes(body, url, header_encoding=encoding)
    outcome = ParseOutcome()
    if want_links:
        base = page.base_url
        outcome.links = [join_url(base, href.strip()) for href in page.tree.xpath("//a/@href") if href.strip()]
    if want_article:
        others = [Page.from_bytes(part.body, part.url, header_encoding=part.encoding) for part in parts]
        # a single-page view stands for as many pages as the first page's pager shows
        page_count = (found.last_number if single_view and (found := detect_pagination(page)) else None)
        try:
            verdict = judge_pages([page, *others], options, fetched_at, status, single_view=single_view,
                                  page_count=page_count)
        except NotAnArticle as exc:
            outcome.reason = exc.reason
            return outcome
        outcome.warnings = verdict.warnings
        outcome.selector_missed = verdict.selector_missed
        if not verdict.is_article:  # the one decision ``newscrawl parse`` prints as ``kind``
            outcome.reason = verdict.reason or verdict.kind
            return outcome
        outcome.pagination = _pagination(page, [] if single_view else others)
        if outcome.pagination is not None and outcome.pagination.is_continuation:
            first = outcome.pagination
            outcome.reason = f"page {first.number} of {first.first_url}"
            return outcome
        record = verdict.record
        cleaned = clean_record(record, script or "keep")
        outcome.record = cleaned
        outcome.invalid = article_problem(cleaned, options.min_body_chars)
        if outcome.invalid:
            return outcome
        cleaned.signature = neardup.signature(cleaned.body_text)
    return outcome


def _pagination(first: Page, others: list[Page]) -> Pagination | None:
    """The first page's pagination with the pages every given page links to (a pager that
    shows a window of page numbers names later pages only on later pages)."""
    found = detect_pagination(first)
    if found is None or not others:
        return found
    pages = dict(found.pages)
    for page in others:
        more = detect_pagination(page)
        if more is not None and more.first_url == found.first_url:
            for number, link in more.pages:
                pages.setdefault(number, link)
    return Pagination(found.number, found.first_url, tuple(sorted(pages.items())), found.single_page_url)
