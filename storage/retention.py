"""Retention: remove what the store keeps about the past, never the articles themselves.

A crawl leaves more than articles behind: a reject for every page that was not one, a URL
state for every URL it met (one crawl of a site with dead tag links left 94,845), a version
row for every changed text and, with ``--keep-raw``, the fetched bytes of each article.
``prune`` deletes those older than a cutoff, in batches (a lock on SQLite is held a moment,
not for the whole run), and reports how many rows of each kind went. Articles are never
touched: their current text, ids and duplicate links stay. On SQLite the file is then
compacted (``VACUUM``), so the space really comes back; PostgreSQL's autovacuum reuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from storage.models import ArticleVersion, RawPageRow, Reject, UrlState

KINDS = ("rejects", "states", "versions", "raw")
_BATCH = 1000


def _older(values: Iterable[tuple[int, str]], cutoff: datetime) -> list[int]:
    """Ids whose ISO 8601 time (with or without an offset) is before ``cutoff`` (naive UTC)."""
    old = []
    for key, value in values:
        try:
            when = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue  # an unreadable time is kept: better too much than a wrong delete
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        if when < cutoff:
            old.append(key)
    return old


def _delete_ids(engine: Engine, model: type[Any], key: Any, ids: list[Any]) -> int:
    """Delete the rows of ``model`` whose ``key`` is in ``ids``, a transaction per batch."""
    for start in range(0, len(ids), _BATCH):
        with Session(engine) as session, session.begin():
            session.execute(delete(model).where(key.in_(ids[start:start + _BATCH])))
    return len(ids)


_KEYS: dict[str, tuple[type[Any], Any]] = {"rejects": (Reject, Reject.id), "states": (UrlState, UrlState.url),
                                           "versions": (ArticleVersion, ArticleVersion.id),
                                           "raw": (RawPageRow, RawPageRow.id)}


def _old_ids(session: Session, kind: str, cutoff: datetime) -> list[Any]:
    """The keys of the rows of ``kind`` from before ``cutoff``. Rejects and URL states carry a
    DateTime; versions and raw pages the fetch time as ISO 8601 text, compared as instants."""
    if kind == "rejects":
        return list(session.scalars(select(Reject.id).where(Reject.created_at < cutoff)))
    if kind == "states":
        return list(session.scalars(select(UrlState.url).where(UrlState.updated_at < cutoff)))
    model, key = _KEYS[kind]
    return _older(session.execute(select(key, model.fetched_at)).tuples(), cutoff)


def prune(engine: Engine, cutoff: datetime, kinds: Iterable[str] = KINDS, dry_run: bool = False) -> dict[str, int]:
    """Delete rejects, URL states, past versions and raw pages from before ``cutoff`` (naive
    UTC); returns the rows removed (or, with ``dry_run``, that would be) per kind."""
    kinds = set(kinds)
    if unknown := kinds - set(KINDS):
        raise ValueError(f"unknown kind {sorted(unknown)[0]!r} (choose from {', '.join(KINDS)})")
    counts: dict[str, int] = {}
    for kind in (k for k in KINDS if k in kinds):  # only the kinds asked for are read
        model, key = _KEYS[kind]
        with Session(engine) as session:
            ids = _old_ids(session, kind, cutoff)
        counts[kind] = len(ids) if dry_run else _delete_ids(engine, model, key, ids)
    if not dry_run and any(counts.values()) and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM"))
    return counts
