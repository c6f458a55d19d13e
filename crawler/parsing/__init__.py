"""Pure article parsing: HTML bytes and URL in, a ``Record`` out.

No Scrapy, SQLAlchemy or network here, so every extraction bug can be reproduced from a
saved page. ``parse_article`` parses the page once and hands the same ``Page`` to each
field extractor.

Where things are (one module per field or family; each field an ordered list of small
sources, a failing source logged and skipped: ``sources``):

- ``page``: the ``Page`` (decoded, parsed once) and ``per_page`` values shared by extractors
- ``title`` (``headline``: declared headlines, the headline element; ``jsonld``: the
  article's JSON-LD object and the one walker over nested objects)
- ``datefields`` (``datesources``: JSON-LD, URL, htmldate; ``dates``: reading a stamp)
- ``authors`` (``people``: names), ``source``, ``tags``, ``counts``, ``summary``,
  ``breadcrumb`` (and category); ``header``: the meta line after the headline they read
- ``body/``: the body by stage (``score``, ``blocks``, ``trim``, ``render``, ``images``),
  ``second_opinion``: JSON-LD articleBody / trafilatura where ours is unsure
- ``paywall``: whether the page says its article is not free
- ``kind``: article or not; ``clean``: text normalisation and the content hash
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from crawler.parsing.authors import extract_authors
from crawler.parsing.body import Body, extract_body
from crawler.parsing.breadcrumb import extract_breadcrumb, extract_category
from crawler.parsing.clean import content_hash, normalize_text, weighs_less
from crawler.parsing.counts import extract_counts
from crawler.parsing.datefields import extract_date_fields
from crawler.parsing.dates import iso, zone_for
from crawler.parsing.kind import kind_of, not_article_reason
from crawler.parsing.page import Page, deeper_than, xpath
from crawler.parsing.paywall import extract_paywalled
from crawler.parsing.record import Crumb, Image, Record, Source
from crawler.parsing.second_opinion import body_floor, extract_body_checked
from crawler.parsing.selectors import (
    PROFILE,
    SELECTOR_FIELDS,
    drop_boilerplate_html,
    is_boilerplate,
    pinned_values,
    select,
    select_elements,
)
from crawler.parsing.source import extract_source, parse_source_line
from crawler.parsing.summary import extract_summary
from crawler.parsing.tags import extract_tags
from crawler.parsing.title import extract_title, strip_spam_prefix
from crawler.parsing.urls import canonicalize, registered_domain, same_site

__all__ = ["NotAnArticle", "ParseOptions", "Record", "Crumb", "Image", "Source", "Verdict", "judge_page",
           "judge_article",
           "parse_article", "parse_page", "Page"]

MAX_DEPTH = 250  # libxml2 drops everything past its nesting limit; real pages stay far below this
MIN_BODY_CHARS = 200  # in text_weight units (CJK characters count twice)


class NotAnArticle(Exception):
    """No article record: either none could be built at all (no headline, no body) or the
    verdict says the page is not an article; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParseOptions:
    """What a site profile can tell the parser. Every field is optional."""

    site: str | None = None
    timezone: str | None = None
    language: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    title_prefixes: tuple[str, ...] = ()
    min_body_chars: int = MIN_BODY_CHARS
    #: regular expressions: body and summary blocks (lines, paragraphs) they match are dropped
    boilerplate: tuple[str, ...] = ()
    #: a selector only article pages match: a page it misses is no article, one it hits is
    article_selector: str | None = None


# (@rel first: a link without one is passed over before any string function runs)
_CANONICAL = '//link[@rel and contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href'


def _canonical(page: Page) -> str:
    for href in xpath(page.tree, _CANONICAL) + [page.meta.get("og:url", "")]:
        absolute = page.absolute(href)
        if absolute and absolute.startswith(("http://", "https://")) and same_site(absolute, page.url):
            return canonicalize(absolute)
    return canonicalize(page.url)


ARTICLE = "article"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A record built from a page and the decision whether it is an article.

    ``kind`` is ``"article"`` or what the page is instead (``"listing"``, ``"profile"``,
    ``"page"`` for about, contact and other undated short pages); ``reason`` says why when it
    is not an article. ``warnings`` note what was read with loss (e.g. bytes replaced while
    decoding) without costing the record. The crawl stores exactly the records whose kind is
    ``article``; ``newscrawl parse`` prints every record with its kind beside it."""

    record: Record
    kind: str = ARTICLE
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    #: the fields a profile selector gave, and the profile selectors that matched nothing
    #: here (the generic value stands; the crawl counts them). Never stored with the record.
    pinned: tuple[str, ...] = ()
    selector_missed: tuple[str, ...] = ()

    @property
    def is_article(self) -> bool:
        return self.kind == ARTICLE

    @property
    def explain(self) -> dict[str, str]:
        """Where fields came from when not from the generic extractors, as ``parse --explain``
        shows it: ``{"authors": "profile selector", "selector_missed": "tags,images"}``."""
        shown = dict.fromkeys(self.pinned, PROFILE)
        if self.selector_missed:
            shown["selector_missed"] = ",".join(self.selector_missed)
        return shown


def article_body(page: Page, title: str, opts: ParseOptions) -> tuple[Body, list[str], bool]:
    """The body of one page: the extractor's ``Body``, its normalised blocks without the
    profile's boilerplate, and whether the profile's body selector chose it. The same for
    an article's first page and for its continuation pages (``crawler.parsing.merge``)."""
    # a second opinion (JSON-LD articleBody, trafilatura) where our extractor is short or unsure:
    # a page is not rejected as too short while another reader finds its body
    body_selector = opts.selectors.get("body")
    by_selector = bool(body_selector and select_elements(page.tree, body_selector))
    if by_selector:
        body = extract_body(page, title=title, selector=body_selector, captions=False)  # the profile's box wins
        blocks = [b for b in (normalize_text(b) for b in body.blocks) if b]
    else:  # (its blocks come normalised, empty ones dropped)
        body = extract_body_checked(page, title=title, min_weight=opts.min_body_chars)
        blocks = list(body.blocks)
    if opts.boilerplate:
        blocks = [b for b in blocks if not is_boilerplate(b, opts.boilerplate)]
        body.html = drop_boilerplate_html(body.html, opts.boilerplate)
    return body, blocks, by_selector


def article_text(blocks: list[str]) -> str:
    """The body without attribution lines (本文转载自…): two copies of one article differ
    in those, and the hash must say they are the same text."""
    return "\n".join(b for b in blocks if not (len(b) < 160 and parse_source_line(b)))


def parse_page(page: Page, options: ParseOptions | None = None, fetched_at: datetime | None = None,
               http_status: int | None = None) -> Record:
    """Split an already parsed page into an article Record, or raise NotAnArticle (no record,
    or a record whose verdict is not ``article``)."""
    verdict = judge_page(page, options, fetched_at, http_status)
    if not verdict.is_article:
        raise NotAnArticle(verdict.reason or verdict.kind)
    return verdict.record


def judge_page(page: Page, options: ParseOptions | None = None, fetched_at: datetime | None = None,
               http_status: int | None = None) -> Verdict:
    """Build the record of an already parsed page and decide whether it is an article.
    Raises NotAnArticle only when no record can be built at all."""
    opts = options or ParseOptions()
    now = fetched_at or datetime.now(UTC)
    warnings: list[str] = []
    if not page.decoded_cleanly:
        warnings.append(f"{page.replaced_chars} undecodable byte sequence(s) replaced (read as {page.encoding})")
    if deeper_than(page.tree, MAX_DEPTH):
        raise NotAnArticle(f"nested more than {MAX_DEPTH} levels deep: the HTML parser loses what follows, "
                           "so the page cannot be read whole")
    language = opts.language or page.language
    tz = zone_for(opts.timezone, language)
    title, title_raw, prefix = extract_title(page, opts.title_prefixes)
    pinned = pinned_values(page, opts.selectors, tz, now) if opts.selectors else {}
    if "title" in pinned:
        title_raw = pinned["title"]
        title, prefix = strip_spam_prefix(title_raw, page, [], opts.title_prefixes)
    if not title:
        raise NotAnArticle("no headline")
    body, blocks, by_selector = article_body(page, title, opts)
    if by_selector:
        pinned["body"] = True
    body_text = "\n".join(blocks)
    if weighs_less(body_text, body_floor(body, opts.min_body_chars)):
        raise NotAnArticle(f"body too short ({len(body_text)} chars)")
    dates = extract_date_fields(page, tz, now)
    published, published_raw = pinned.get("published_at") or (dates.published_at, dates.published_raw)
    modified, modified_raw = pinned.get("modified_at") or (dates.modified_at, dates.modified_raw)
    guessed = dates.published_guessed and "published_at" not in pinned
    reason = not_article_reason(page, blocks, None if guessed else published, title)
    if opts.article_selector:
        reason = None if select(page.tree, opts.article_selector) else "no element matches rules.article_selector"
    crumbs = pinned.get("breadcrumb") or extract_breadcrumb(page, title_raw)
    summary, truncated = (pinned["summary"], False) if "summary" in pinned else extract_summary(page)
    if summary and opts.boilerplate:
        summary = "\n".join(line for line in summary.splitlines() if not is_boilerplate(line.strip(), opts.boilerplate))
    comments, views = extract_counts(page)
    record = Record(
        url=page.url,
        canonical_url=_canonical(page),
        site=opts.site or registered_domain(page.url),
        title=normalize_text(title),
        title_raw=normalize_text(title_raw),
        title_spam_prefix=prefix,
        breadcrumb=crumbs,
        category=pinned.get("category") or extract_category(page, crumbs),
        published_at=published,
        modified_at=modified,
        published_raw=published_raw,
        modified_raw=modified_raw,
        authors=pinned.get("authors") or extract_authors(page),
        source=pinned.get("source") or extract_source(page, blocks),
        tags=pinned.get("tags") or extract_tags(page),
        summary=normalize_text(summary) or None,
        summary_truncated=truncated,
        body_text=body_text,
        body_html=body.html,
        images=pinned.get("images") or body.images,
        language=language,
        comment_count=comments,
        view_count=views,
        paywalled=extract_paywalled(page),
        content_hash=content_hash(article_text(blocks)),
        fetched_at=iso(now) or "",
        http_status=http_status,
    )
    given = tuple(name for name in SELECTOR_FIELDS if name in pinned)
    missed = tuple(name for name in SELECTOR_FIELDS if opts.selectors.get(name) and name not in pinned)
    return Verdict(record, kind_of(reason) if reason else ARTICLE, reason, tuple(warnings), given, missed)


def parse_article(html: bytes | str, url: str, options: ParseOptions | None = None, *,
                  fetched_at: datetime | None = None, http_status: int | None = None,
                  encoding: str | None = None) -> Record:
    """Parse one article page. ``encoding`` is the HTTP header's charset, if any."""
    page = Page.from_bytes(html, url, header_encoding=encoding)
    return parse_page(page, options, fetched_at, http_status)


def judge_article(html: bytes | str, url: str, options: ParseOptions | None = None, *,
                  fetched_at: datetime | None = None, http_status: int | None = None,
                  encoding: str | None = None) -> Verdict:
    """``parse_article``'s record with its verdict, for a page that may not be an article."""
    page = Page.from_bytes(html, url, header_encoding=encoding)
    return judge_page(page, options, fetched_at, http_status)
