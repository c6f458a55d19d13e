"""Read-only queries for the inspecting commands: the record selection shared by list,
search and export (streamed in constant memory), and the ``stats`` report (per site and per
run: records, duplicates, rejects with reasons, failures and how often each field is
filled, so a site whose layout changed shows up as a drop in fill rate).

Only Core queries against the tables: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Text, case, cast, func, literal, select
from sqlalchemy.sql import Select

from storage.models import Article, CrawlRun, Reject, UrlState
from storage.record import FIELD_NAMES, Record

DUPLICATES = ("hide", "include", "only")
RECORD_COLUMNS = [getattr(Article, name) for name in FIELD_NAMES]


@dataclass(frozen=True, slots=True)
class Selection:
    """Which records list, search and export see. ``duplicates``: ``hide`` (default) leaves
    out records that duplicate another one, ``include`` keeps them, ``only`` shows just them."""

    site: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    duplicates: str = "hide"
    limit: int | None = None
    # Only records stored or changed since the last export with this cursor name
    # (``storage.export_cursors``).
    changes_since: str | None = None
    # Records whose page was taken down (``removed_at``: it answered 404/410) are left out
    # unless asked for.
    include_removed: bool = False
    # Only records stored or changed in [stored_since, stored_until) (``storage.export_since``).
    stored_since: datetime | None = None
    stored_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.duplicates not in DUPLICATES:
            raise ValueError(f"duplicates must be one of {', '.join(DUPLICATES)}")


def apply_selection(stmt: Select, selection: Selection, order: bool = True) -> Select:
    if selection.duplicates == "hide":
        stmt = stmt.where(Article.duplicate_of.is_(None))
    elif selection.duplicates == "only":
        stmt = stmt.where(Article.duplicate_of.is_not(None))
    if not selection.include_removed:
        stmt = stmt.where(Article.removed_at.is_(None))
    if selection.site:
        stmt = stmt.where(Article.site == selection.site)
    if selection.category:
        stmt = stmt.where(Article.category == selection.category)
    if selection.since:
        stmt = stmt.where(Article.published_utc >= selection.since)
    if selection.until:
        stmt = stmt.where(Article.published_utc < selection.until)
    if selection.changes_since:
        from storage.export_cursors import not_yet_exported

        stmt = not_yet_exported(stmt, selection.changes_since)
    if selection.stored_since or selection.stored_until:
        from storage.export_since import stored_between

        stmt = stored_between(stmt, selection.stored_since, selection.stored_until)
    return stmt


def _newest_first(stmt: Select, dialect: str) -> Select:
    # SQLite sorts NULL lowest, so DESC already puts undated records last and the
    # (published_utc, rowid) index gives the order without a sort; PostgreSQL needs it said.
    published = Article.published_utc.desc()
    if dialect != "sqlite":
        published = published.nulls_last()
    return stmt.order_by(published, Article.id.desc())


def select_records(selection: Selection, dialect: str) -> Select:
    stmt = _newest_first(apply_selection(select(*RECORD_COLUMNS), selection), dialect)
    return stmt.limit(selection.limit) if selection.limit else stmt


def _record(row: Any) -> Record:
    return Record.from_dict(dict(row._mapping))


def iter_records(engine: Engine, selection: Selection | None = None, batch: int = 500,
                 versions: list[tuple[int, int]] | None = None) -> Iterator[Record]:
    """Records newest first, streamed: a server-side cursor on PostgreSQL, SQLite's own
    stepping cursor, ``batch`` rows in memory at a time. ``versions``, when given, gets the
    (id, version) of each record yielded: what an export cursor marks once it is done."""
    stmt = select_records(selection or Selection(), engine.dialect.name)
    if versions is not None:
        stmt = stmt.add_columns(Article.version.label("_version"))
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
        for row in result:
            if versions is None:
                yield _record(row)
                continue
            data = dict(row._mapping)
            versions.append((data["id"], data.pop("_version")))
            yield Record.from_dict(data)


def records_by_id(engine: Engine, ids: Sequence[int]) -> dict[int, Record]:
    out: dict[int, Record] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            part = list(ids[start:start + 500])
            for row in conn.execute(select(*RECORD_COLUMNS).where(Article.id.in_(part))):
                out[row.id] = _record(row)
    return out


# --- stats ------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "published_at", "modified_at", "summary", "category", "body_text", "body_html",
               "language")
JSON_FIELDS = ("authors", "source", "breadcrumb", "tags", "images")
NUMBER_FIELDS = ("comment_count", "view_count")
FILL_FIELDS = ("title", "published_at", "modified_at", "authors", "source", "summary", "category", "breadcrumb",
               "tags", "body_text", "body_html", "images", "language", "comment_count", "view_count")
DROP = 0.3  # a run this far below its site's fill rate for a field is flagged
DROP_MIN_RECORDS = 5  # ... when it wrote at least this many records


def _filled(name: str):  # noqa: ANN202 - a SQL expression
    column = getattr(Article, name)
    if name in TEXT_FIELDS:
        cond = (column.is_not(None)) & (column != "")
    elif name in JSON_FIELDS:
        cond = column.is_not(None) & cast(column, Text).not_in(["[]", "null", "{}", ""])
    else:
        cond = column.is_not(None)
    return func.sum(case((cond, 1), else_=0)).label(name)


def _fill_columns() -> list:
    return [_filled(name) for name in FILL_FIELDS]


def _rates(row: Any, total: int) -> dict[str, float]:
    return {name: round((getattr(row, name) or 0) / total, 3) if total else 0.0 for name in FILL_FIELDS}


def fill_drops(run_id: int, site: str, fill: dict[str, float], site_fill: dict[str, float],
               records: int) -> list[str]:
    """The fill-rate warnings of one run: each field it filled at least ``DROP`` less often
    than its site's records as a whole (``stats`` warnings, and ``crawler.drift``)."""
    if records < DROP_MIN_RECORDS:
        return []
    return [f"run {run_id} ({site}): {name} filled in {rate:.0%} of {records} records against "
            f"{site_fill[name]:.0%} for the site: has the layout changed?"
            for name, rate in fill.items() if site_fill.get(name, 0) - rate >= DROP]


def _reason_kind(reason: str | None) -> str:
    """A reject reason without its particulars: ``invalid: body too short (42 chars)`` counts
    as ``invalid: body too short``."""
    return (reason or "").split(" (", 1)[0].strip() or "(no reason)"


SELECTOR_PAGES = "newscrawl/selector_pages/"
SELECTOR_MATCHED = "newscrawl/selector_matched/"


def selector_notes(crawl_stats: dict[str, Any]) -> dict[str, Any] | None:
    """The run-record note of a crawl's profile selectors, from its Scrapy stats (the spider
    counts ``newscrawl/selector_pages/FIELD`` and ``newscrawl/selector_matched/FIELD`` on
    every article page): ``{"selectors": {FIELD: {"pages": n, "matched": m}}}``, or None
    when the crawl had no profile selectors."""
    counts = {key[len(SELECTOR_PAGES):]: {"pages": int(value or 0), "matched": 0}
              for key, value in crawl_stats.items() if key.startswith(SELECTOR_PAGES)}
    for name, entry in counts.items():
        entry["matched"] = int(crawl_stats.get(SELECTOR_MATCHED + name, 0) or 0)
    return {"selectors": dict(sorted(counts.items()))} if counts else None


def selector_lines(selectors: dict[str, Any]) -> list[str]:
    """"selector for authors matched 0 of 40 pages", one per field, misses first."""
    rows = sorted(selectors.items(), key=lambda kv: (kv[1].get("matched", 0) - kv[1].get("pages", 0), kv[0]))
    return [f"selector for {name} matched {entry.get('matched', 0)} of {entry.get('pages', 0)} pages"
            for name, entry in rows]


def stats(engine: Engine, runs: int = 10) -> dict[str, Any]:
    """Per site and per run: records, duplicates, paywalled records (per site: the pages that
    said their article is not free), rejects (with reasons), failures and fill rates;
    ``warnings`` name the runs whose fill rate for a field fell well below their site's."""
    site_key = func.coalesce(CrawlRun.site, literal("(no site)"))
    with engine.connect() as conn:
        per_site = conn.execute(
            select(Article.site, func.count().label("records"), func.count(Article.duplicate_of).label("dups"),
                   func.sum(case((Article.paywalled.is_(True), 1), else_=0)).label("paywalled"),
                   *_fill_columns()).group_by(Article.site).order_by(Article.site)).all()
        site_rejects: dict[str, dict[str, int]] = {}
        for site, reason, count in conn.execute(
                select(site_key, Reject.reason, func.count()).select_from(Reject)
                .outerjoin(CrawlRun, CrawlRun.id == Reject.run_id).group_by(site_key, Reject.reason)):
            kinds = site_rejects.setdefault(site, {})
            kinds[_reason_kind(reason)] = kinds.get(_reason_kind(reason), 0) + count
        site_failed = dict(conn.execute(
            select(site_key, func.count()).select_from(UrlState).outerjoin(CrawlRun, CrawlRun.id == UrlState.run_id)
            .where(UrlState.state == "failed").group_by(site_key)).all())
        states = dict(conn.execute(select(UrlState.state, func.count()).group_by(UrlState.state)).all())
        run_rows = conn.execute(select(CrawlRun.__table__).order_by(CrawlRun.id.desc()).limit(runs)).all()
        run_ids = [r.id for r in run_rows]
        run_fill = {r.run_id: r for r in conn.execute(
            select(UrlState.run_id, func.count().label("records"), *_fill_columns())
            .select_from(UrlState).join(Article, Article.id == UrlState.article_id)
            .where(UrlState.run_id.in_(run_ids), UrlState.reason.in_(("new", "updated", "duplicate")))
            .group_by(UrlState.run_id))} if run_ids else {}
        run_reasons: dict[int, dict[str, int]] = {}
        if run_ids:
            for run_id, reason, count in conn.execute(
                    select(Reject.run_id, Reject.reason, func.count()).where(Reject.run_id.in_(run_ids))
                    .group_by(Reject.run_id, Reject.reason)):
                if run_id is None:
                    continue
                kinds = run_reasons.setdefault(run_id, {})
                kinds[_reason_kind(reason)] = kinds.get(_reason_kind(reason), 0) + count
            run_failed = dict(conn.execute(
                select(UrlState.run_id, func.count()).where(UrlState.run_id.in_(run_ids), UrlState.state == "failed")
                .group_by(UrlState.run_id)).all())
        else:
            run_failed = {}

    sites = []
    site_fill: dict[str, dict[str, float]] = {}
    for row in per_site:
        reasons = site_rejects.get(row.site, {})
        site_fill[row.site] = _rates(row, row.records)
        sites.append({"site": row.site, "records": row.records, "duplicates": row.dups,
                      "paywalled": int(row.paywalled or 0), "rejects": sum(reasons.values()),
                      "reject_reasons": _sorted(reasons),
                      "failed": site_failed.get(row.site, 0), "fill": site_fill[row.site]})
    known = {s["site"] for s in sites}
    for site, reasons in site_rejects.items():  # sites with rejects but no article yet
        if site not in known:
            sites.append({"site": site, "records": 0, "duplicates": 0, "paywalled": 0, "rejects": sum(reasons.values()),
                          "reject_reasons": _sorted(reasons), "failed": site_failed.get(site, 0), "fill": {}})

    out_runs, warnings = [], []
    for run in run_rows:
        fill_row = run_fill.get(run.id)
        written = fill_row.records if fill_row else 0
        fill = _rates(fill_row, written) if fill_row else {}
        entry = {"id": run.id, "site": run.site, "status": run.status,
                 "started_at": run.started_at.isoformat(timespec="seconds"),
                 "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
                 "pages": run.pages, "new": run.items_new, "updated": run.items_updated,
                 "unchanged": run.items_unchanged, "duplicate": run.items_duplicate, "rejected": run.items_rejected,
                 "failed": getattr(run, "items_failed", None) or run_failed.get(run.id, 0),
                 "skipped": getattr(run, "items_skipped", None) or 0, "errors": run.errors,
                 "reject_reasons": _sorted(run_reasons.get(run.id, {})), "records_written": written, "fill": fill}
        selectors = (run.args or {}).get("selectors") if isinstance(run.args, dict) else None
        if isinstance(selectors, dict) and selectors:
            entry["selectors"] = selectors
            missed = {name: counted for name, counted in selectors.items()  # the generic value stood in
                      if counted.get("matched", 0) < counted.get("pages", 0)}
            warnings += [f"run {run.id} ({run.site or 'no site'}): {line}" for line in selector_lines(missed)]
        out_runs.append(entry)
        run_site = run.site if run.site in site_fill else (next(iter(site_fill)) if len(site_fill) == 1 else None)
        if run_site:
            warnings += fill_drops(run.id, run_site, fill, site_fill[run_site], written)
    all_reasons: dict[str, int] = {}
    for reasons in site_rejects.values():
        for kind, count in reasons.items():
            all_reasons[kind] = all_reasons.get(kind, 0) + count
    return {
        "articles": sum(s["records"] for s in sites),
        "duplicates": sum(s["duplicates"] for s in sites),
        "paywalled": sum(s["paywalled"] for s in sites),
        "rejects": sum(all_reasons.values()),
        "reject_reasons": _sorted(all_reasons),
        "failed": states.get("failed", 0),
        "url_states": states,
        "sites": sites,
        "runs": out_runs,
        "warnings": warnings,
    }


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
