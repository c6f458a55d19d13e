"""What the store records for a URL that did not end as a stored ``Record``, so every
discovered URL ends in exactly one recorded state: ``Rejected`` (fetched, not stored as an
article, with the reason), ``Failed`` (fetching failed: reason and attempts), ``Skipped``
(a rule, robots.txt or a budget kept it from being fetched), and ``RawPage``, the fetched
bytes of an article kept for re-parsing. The crawl yields them as Scrapy items; the store
writes them in the same transaction as the records.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.record import Record


@dataclass(frozen=True, slots=True)
class Rejected:
    """A fetched page that is not stored as an article (not an article, too short, invalid).
    ``canonical_url`` (when the page parsed that far) links the reject to its raw page."""

    url: str
    reason: str
    canonical_url: str | None = None


@dataclass(frozen=True, slots=True)
class PagePart:
    """One more fetched page of an article split over several (page 2, 3... in order, or the
    single-page view): what re-parsing needs to merge it again."""

    url: str
    body: bytes
    encoding: str | None = None
    http_status: int | None = None


@dataclass(frozen=True, slots=True)
class RawPage:
    """The fetched bytes of an article page, kept (when enabled) so it can be re-parsed later.
    The spider yields it just before the page's Record. ``parts``: the article's other pages
    when it was merged from several (``single_view``: the one part is its single-page view)."""

    url: str
    canonical_url: str
    body: bytes
    encoding: str | None
    http_status: int | None
    fetched_at: str
    parts: tuple[PagePart, ...] = ()
    single_view: bool = False


@dataclass(frozen=True, slots=True)
class Failed:
    """The URL could not be fetched: network error, HTTP error, redirect loop, too large..."""

    url: str
    reason: str
    attempts: int = 1
    # The HTTP status of a server's refusal, when there was one: 404 or 410 on a stored
    # article's URL marks the article removed (``removed_at``).
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """The URL was not fetched on purpose: robots.txt, a retired host, a budget or a rule."""

    url: str
    reason: str


# Everything ``Repository.store_batch`` takes.
Item = Record | Rejected | RawPage | Failed | Skipped
