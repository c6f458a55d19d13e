"""Field provenance: which source gave each field of a record (``newscrawl parse --explain``,
``newscrawl profiles test``).

A user about to write a profile selector first needs to see why a field is wrong: the
JSON-LD headline, a meta tag, a ``<time>`` element, a labelled line of text or a heuristic
guess. Each field module already tries an ordered tuple of small sources (``_SOURCES``,
``sources.first_found``); ``explain`` asks the same sources, in the same order, which one
answers first, so it names the one that won without the crawl paying for it (it runs only
when asked) and without changing any value. Fields a profile selector gave are taken from
``Verdict.explain``. Pure: the page, the record and the options in, a mapping out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from crawler.parsing import authors, breadcrumb, datefields, source, summary, tags
from crawler.parsing.dates import zone_for
from crawler.parsing.datesources import htmldate_day, jsonld_dates
from crawler.parsing.page import Page
from crawler.parsing.record import Record
from crawler.parsing.second_opinion import extract_body_checked
from crawler.parsing.selectors import PROFILE, SELECTOR_FIELDS
from crawler.parsing.sources import attempt
from crawler.parsing.title import title_candidates

NOT_FOUND = "-"  # a field no source filled
_TITLE_KEYS = {"jsonld": "JSON-LD headline", "og": "meta og:title", "twitter": "meta twitter:title",
               "h1": "visible headline (heuristic)", "title": "<title>"}
_BODY = {"own": "heuristic (text density)", "jsonld": "JSON-LD articleBody",
         "trafilatura": "trafilatura (second opinion)", "confirmed": "heuristic, confirmed by trafilatura"}


def _label(fn: Callable[..., Any]) -> str:
    """A source function's name as a reader says it: ``_from_label_piece`` -> ``label piece``."""
    name = fn.__name__.lstrip("_")
    name = name[5:] if name.startswith("from_") else name
    return {"jsonld": "JSON-LD", "meta": "meta tag"}.get(name, name.replace("_", " ").replace("jsonld", "JSON-LD"))


def _first(sources: Iterable[Callable[..., Any]], page: Page, *args: Any) -> str | None:
    for fn in sources:
        if attempt(fn, page, *args):
            return _label(fn)
    return None


def _title(page: Page, record: Record) -> str:
    raw = record.title_raw or record.title
    cands = title_candidates(page)
    for key in ("jsonld", "og", "twitter", "h1", "title"):
        text = cands.get(key)
        if text and raw and (text == raw or raw.startswith(text.rstrip("…. ")) or text.endswith(raw)):
            return _TITLE_KEYS[key]
    return "title candidates, completed (heuristic)"


def _date(page: Page, record: Record, raw: str | None, modified: bool, now: datetime) -> str:
    """The first date source whose raw value is the record's."""
    tz = zone_for(None, record.language)
    ld = attempt(jsonld_dates, page, tz, now) or (None, None)
    meta_keys = datefields._MODIFIED_META if modified else datefields._PUBLISHED_META
    header = attempt(datefields._date_in_header, page, tz, now) or datefields._NO_HEADER_DATES
    candidates: list[tuple[str, Any]] = [
        ("JSON-LD", ld[1] if modified else ld[0]),
        ("meta tag", attempt(datefields._first_meta, page, meta_keys, tz, now)),
        ("labelled text beside the headline", header[1] if modified else header[0]),
    ]
    if not modified:
        candidates += [("date markup (itemprop, abbr)", attempt(datefields._marked_up, page, tz, now)),
                       ("<time> element", attempt(datefields._time_elements, page, tz, now)),
                       ("labelled text", attempt(datefields._labelled_date_anywhere, page, tz, now)),
                       ("URL", attempt(datefields._url_day, page, tz, now))]
    candidates.append(("labelled update date", attempt(datefields._labelled_date_anywhere, page, tz, now,
                                                       datefields._UPDATE_LABEL, datefields._UPDATE_WORDS)))
    value = record.modified_at if modified else record.published_at

    def gave(found: Any) -> bool:
        # the raw value is the source's text, or the part of it the page wrote as one string;
        # a source whose text the page did not write (the URL, htmldate) left it empty
        return bool(found) and (found[1][:200] == raw or bool(raw) and raw in found[1]
                                or not raw and found[0].text() == value)

    for name, found in candidates:
        if gave(found):
            return name
    if not modified and gave(attempt(htmldate_day, page, tz, now)):
        return "htmldate (heuristic)"
    return "date heuristics"


def _category(page: Page, record: Record) -> str:
    if len(record.breadcrumb) >= 2 and record.category == record.breadcrumb[-1].name:
        return "breadcrumb"
    if page.meta.get("article:section") == record.category:
        return "meta article:section"
    return "JSON-LD articleSection or rel=category link"


def explain(page: Page, record: Record, given: dict[str, str] | None = None,
            fetched_at: datetime | None = None) -> dict[str, str]:
    """``{field: source}`` for the record's extracted fields, in record order; ``given`` is
    ``Verdict.explain`` (fields a profile selector gave). An empty field is ``-``."""
    given = given or {}
    now = fetched_at or datetime.fromisoformat(record.fetched_at)
    judge = authors._Judge(attempt(authors._site_names, page) or [], source.header_source(page),
                           attempt(authors._outlets, page) or [])

    def crumbs_source() -> str | None:
        for fn in breadcrumb._SOURCES:
            if breadcrumb._clean_trail(attempt(fn, page) or [], record.title_raw):
                return _label(fn)
        return None

    finders: dict[str, Callable[[], str | None]] = {
        "title": lambda: _title(page, record),
        "body": lambda: _BODY.get(extract_body_checked(page, title=record.title).source, "heuristic"),
        "summary": lambda: _first(summary._SOURCES, page),
        "authors": lambda: _first(authors._SOURCES, page, judge),
        "published_at": lambda: _date(page, record, record.published_raw, False, now),
        "modified_at": lambda: _date(page, record, record.modified_raw, True, now),
        "breadcrumb": crumbs_source,
        "category": lambda: _category(page, record),
        "tags": lambda: _first(tags._SOURCES, page),
        "source": lambda: _first(source._SOURCES, page, record.body_blocks),
        "images": lambda: "body images",
    }
    out: dict[str, str] = {}
    for name in SELECTOR_FIELDS:
        if not getattr(record, name if name != "body" else "body_text"):
            out[name] = NOT_FOUND
        elif given.get(name) == PROFILE:
            out[name] = PROFILE
        else:
            out[name] = finders[name]() or "heuristic"
    out["canonical_url"] = "link rel=canonical or og:url" if record.canonical_url != record.url else "page URL"
    page_language = "page (html lang, meta)" if record.language else NOT_FOUND
    out["language"] = "profile" if given.get("language") else page_language
    if given.get("selector_missed"):
        out["selector_missed"] = given["selector_missed"]
    return out


__all__ = ["NOT_FOUND", "explain"]
