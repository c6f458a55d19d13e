"""What the crawler remembers between runs about each URL it fetched: when, with which
validators (ETag, Last-Modified) and the sitemap/feed date it was listed with; plus reads of
the run log. Incremental re-crawls decide from this which URLs to fetch again.

Kept apart from the article tables so discovery can ask "have I fetched this, and is the
listing newer?" without touching records; its migrations are their own Alembic branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, CrawlRun


class FetchState(Base):
    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    listed_at: Mapped[datetime | None] = mapped_column(DateTime)
    site: Mapped[str | None] = mapped_column(String(255), index=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048))


@dataclass(frozen=True, slots=True)
class Seen:
    """One URL's last fetch."""

    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    listed_at: datetime | None


def load_seen(engine: Engine, site: str | None = None) -> dict[str, Seen]:
    """Every fetched article URL (of ``site``, or all) whose record is committed, with its
    last fetch. A URL fetched but never stored (a crash, a failed batch) is not "seen", so
    the next run fetches it again."""
    from storage.models import UrlState

    query = (select(FetchState.url, FetchState.fetched_at, FetchState.etag, FetchState.last_modified,
                    FetchState.listed_at)
             .join(UrlState, UrlState.url == FetchState.canonical_url)
             .where(FetchState.status.in_((200, 203, 304)), UrlState.state.in_(("stored", "duplicate"))))
    if site:
        query = query.where(FetchState.site == site)
    with Session(engine) as session:
        return {row[0]: Seen(row[1], row[2], row[3], row[4]) for row in session.execute(query)}


def stored_urls(engine: Engine) -> list[tuple[str, str, datetime]]:
    """(fetch URL, canonical URL, last seen) of every stored article, duplicates included.

    Written in the same transaction as the records themselves, so it is what a crawl killed a
    moment ago really stored: the fetch log (``fetch_state``) is saved in batches and may
    miss its last few hundred fetches, and a re-run decided from it alone fetched stored
    articles again."""
    from storage.models import Article

    with Session(engine) as session:
        return [(row[0], row[1], row[2]) for row in
                session.execute(select(Article.url, Article.canonical_url, Article.last_seen))]


def save_fetches(engine: Engine, rows: Iterable[dict[str, Any]]) -> int:
    """Insert or update fetch rows (dicts with FetchState's columns) in one transaction; the
    rows that exist already are loaded with one query, not one each.

    New URLs (nearly every row of a first crawl) go in as one multi-row INSERT: an ORM object
    and its flush per row cost ~0.1 ms of the crawl process each. A URL fetched twice in the
    batch is one row, the later fetch's values over the earlier's (as for a stored row)."""
    rows = list(rows)
    with Session(engine) as session, session.begin():
        known = {state.url: state for state in
                 session.scalars(select(FetchState).where(FetchState.url.in_({r["url"] for r in rows})))}
        fresh: dict[str, dict[str, Any]] = {}
        for row in rows:
            existing = known.get(row["url"])
            if existing is not None:
                for key, value in row.items():
                    if _overwrites(key, value):
                        setattr(existing, key, value)
            elif (earlier := fresh.get(row["url"])) is not None:
                earlier.update((key, value) for key, value in row.items() if _overwrites(key, value))
            else:
                fresh[row["url"]] = {name: row.get(name) for name in _FETCH_COLUMNS}
        if fresh:
            session.execute(insert(FetchState), list(fresh.values()))
    return len(rows)


_FETCH_COLUMNS = tuple(column.key for column in FetchState.__table__.columns)


def _overwrites(key: str, value: Any) -> bool:
    """Whether a later fetch's ``value`` replaces the stored one: a value does, a missing one
    does not, except the validators (a page that stopped sending its ETag has none now)."""
    return value is not None or key in ("etag", "last_modified")


def recent_runs(engine: Engine, limit: int = 20, site: str | None = None) -> list[dict[str, Any]]:
    """The latest crawl runs, newest first, as plain dicts."""
    query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if site:
        query = query.where(CrawlRun.site == site)
    with Session(engine) as session:
        return [{c.name: getattr(run, c.name) for c in CrawlRun.__table__.columns} for run in session.scalars(query)]
