"""Incremental exports by time and by run: ``export --stored-since TIME`` and ``export --run ID``
(beside the named cursors of ``storage.export_cursors``).

A record counts as stored or changed at a time when it was first stored then
(``first_seen``, the store's clock) or when its current version, a changed text or title,
was fetched then (``fetched_at`` of a record whose ``version`` is above 1; an unchanged
re-fetch moves neither). A run's records are those of its site stored or changed between
the run's start and end: runs of one site never overlap (one crawl per site at a time), so
the window and the site name exactly that run's work.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.sql import Select

from storage.models import Article, CrawlRun


def _iso(moment: datetime) -> str:
    """``fetched_at`` is ISO 8601 in UTC to the second (``2026-12-05T09:18:52+00:00``): the
    same text form, floored to the second, compares in the database as a string."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def stored_between(stmt: Select, since: datetime | None, until: datetime | None = None) -> Select:
    """``stmt`` (over ``articles``) narrowed to records stored or changed in [since, until)
    (naive times are UTC)."""
    new = []
    changed = [Article.version > 1]
    if since is not None:
        new.append(Article.first_seen >= _naive_utc(since))
        changed.append(Article.fetched_at >= _iso(since))
    if until is not None:
        new.append(Article.first_seen < _naive_utc(until))
        changed.append(Article.fetched_at < _iso(until + timedelta(seconds=1)))  # to the second, as stored
    if not new:
        return stmt
    return stmt.where(or_(and_(*new), and_(*changed)))


def run_window(engine: Engine, run_id: int) -> tuple[str | None, datetime, datetime | None]:
    """(site, started, finished or None while running) of a crawl run; LookupError if unknown."""
    with engine.connect() as conn:
        row = conn.execute(select(CrawlRun.site, CrawlRun.started_at, CrawlRun.finished_at)
                           .where(CrawlRun.id == run_id)).first()
    if row is None:
        raise LookupError(f"no crawl run {run_id} (see `newscrawl runs`)")
    return row.site, row.started_at, row.finished_at
