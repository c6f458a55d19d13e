"""Parsing off the reactor: article pages are parsed in worker processes so both cores work
and the reactor never blocks on a parse.

The worker parses a page once and returns everything the spider needs from it: the cleaned
Record (or why it is not an article) and the page's links, so the reactor process never builds an
HTML tree of its own. The response body crosses to the worker once (pickled bytes); the
Record comes back. With NEWSCRAWL_PARSE_WORKERS = 0 (the polite default) the same function
runs inline.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from crawler.parsing import NotAnArticle, ParseOptions, Record, parse_page
from crawler.parsing.clean import CleanedRecord, clean_record
from crawler.parsing.page import Page
from storage import neardup
from storage.checks import article_problem


@dataclass(slots=True)
class ParseOutcome:
    """What one page yielded: a record or the reason it is not one, and its links."""

    record: Record | None = None
    reason: str | None = None
    links: list[str] = field(default_factory=list)
    # Why the cleaned record may not be stored (``storage.checks.article_problem``), or None.
    invalid: str | None = None


def parse_response(body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                   encoding: str | None, want_article: bool, want_links: bool,
                   script: str | None = None) -> ParseOutcome:
    """Parse a page once: the article (when wanted) and its absolute link URLs (when wanted).
    A parser crash on hostile markup becomes a reason, so the URL still ends in a recorded state."""
    try:
        return _parse_response(body, url, options, fetched_at, status, encoding, want_article, want_links, script)
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        return ParseOutcome(reason=f"parser error: {type(exc).__name__}: {str(exc)[:200]}")


def _parse_response(body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                    encoding: str | None, want_article: bool, want_links: bool, script: str | None) -> ParseOutcome:
    page = Page.from_bytes(body, url, header_encoding=encoding)
    outcome = ParseOutcome()
    if want_links:
        base = page.base_url
        outcome.links = [urljoin(base, href.strip()) for href in page.tree.xpath("//a/@href") if href.strip()]
    if want_article:
        try:
            record = parse_page(page, options, fetched_at, status)
        except NotAnArticle as exc:
            outcome.reason = exc.reason
            return outcome
        # Cleaning (and the script conversion it may do) is per-record CPU work too: done here,
        # in the worker, the crawl process only validates and stores.
        cleaned = clean_record(record, script) if script else record
        outcome.record = cleaned
        # So are the store's checks: the crawl process trusts ``checked`` and skips them.
        outcome.invalid = article_problem(cleaned)
        if outcome.invalid:
            return outcome
        if isinstance(cleaned, CleanedRecord):
            cleaned.signature = neardup.signature(cleaned.body_text)
            cleaned.checked = True
    return outcome


def _warm_up() -> None:
    """Import and initialise the parser once per worker, not on its first page."""
    from crawler.parsing.clean import to_simplified

    to_simplified("預熱")


class ParsePool:
    """A process pool for ``parse_response``, or inline parsing when ``workers`` is 0."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        if workers > 0:
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_warm_up)

    async def parse(self, body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                    encoding: str | None, want_article: bool = True, want_links: bool = True,
                    script: str | None = None) -> ParseOutcome:
        args = (body, url, options, fetched_at, status, encoding, want_article, want_links, script)
        if self.executor is None:
            return parse_response(*args)
        return await asyncio.wrap_future(self.executor.submit(parse_response, *args))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
