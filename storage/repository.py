"""Every read and write of the store, used by the crawl pipeline and the CLI alike.

Writes come in batches: one transaction stores a batch of records together with each URL's
crawl state, so a crash never leaves an article without its state or the other way round.
Transient errors (a locked SQLite file, a dropped PostgreSQL connection) are retried with
backoff before the batch is given up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from crawler.parsing.record import FIELD_NAMES, Record
from storage.models import Article, ArticleVersion, CrawlRun, Reject, UrlState

RECORD_COLUMNS = [name for name in FIELD_NAMES if name != "id"]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _utc(iso_value: str | None) -> datetime | None:
    if not iso_value:
        return None
    try:
        value = datetime.fromisoformat(iso_value)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def article_to_record(row: Article) -> Record:
    """The stored row as the one Record type."""
    data = {name: getattr(row, name) for name in RECORD_COLUMNS}
    data["id"] = row.id
    return Record.from_dict(data)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A fetched page that is not stored as an article (not an article, too short, invalid)."""

    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class RawPage:
    """The fetched bytes of an article page, kept (when enabled) so it can be re-parsed later.
    The spider yields it just before the page's Record."""

    url: str
    canonical_url: str
    body: bytes
    encoding: str | None
    http_status: int | None
    fetched_at: str


@dataclass(frozen=True, slots=True)
class Filters:
    """Selection shared by list and export."""

    site: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_duplicates: bool = False
    limit: int | None = None


class Repository:
    """Reads and writes articles, versions, URL states, runs and rejects."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- writes ------------------------------------------------------------------------------

    @retry(retry=retry_if_exception(_transient), wait=wait_exponential(multiplier=0.2, max=5),
           stop=stop_after_delay(60), reraise=True)
    def store_batch(self, items: Sequence[Record | Rejected], run_id: int | None = None) -> list[str]:
        """Store records and rejects in one transaction; returns each item's outcome
        (``new``, ``updated``, ``unchanged``, ``duplicate`` or ``rejected``)."""
        outcomes: list[str] = []
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            for item in items:
                if isinstance(item, Rejected):
                    session.add(Reject(url=item.url, reason=item.reason, run_id=run_id, created_at=now))
                    self._set_state(session, item.url, "rejected", item.reason, None, run_id, now)
                    outcomes.append("rejected")
                    continue
                outcome, article_id = self._store_record(session, item, now)
                self._set_state(session, item.canonical_url, "duplicate" if outcome == "duplicate" else "stored",
                                outcome, article_id, run_id, now)
                outcomes.append(outcome)
        return outcomes

    def _store_record(self, session: Session, record: Record, now: datetime) -> tuple[str, int]:
        existing = session.scalars(select(Article).where(Article.canonical_url == record.canonical_url)).first()
        values = {name: _column_value(getattr(record, name)) for name in RECORD_COLUMNS}
        values["published_utc"] = _utc(record.published_at)
        if existing is not None:
            existing.last_seen = now
            if existing.content_hash == record.content_hash and existing.title == record.title:
                return "unchanged", existing.id
            session.add(ArticleVersion(article_id=existing.id, version=existing.version,
                                       content_hash=existing.content_hash, fetched_at=existing.fetched_at,
                                       record=article_to_record(existing).to_dict()))
            for name, value in values.items():
                if name != "duplicate_of":
                    setattr(existing, name, value)
            existing.version += 1
            return "updated", existing.id
        original = None
        if record.content_hash:
            original = session.scalars(
                select(Article.id).where(Article.content_hash == record.content_hash, Article.duplicate_of.is_(None))
                .order_by(Article.id).limit(1)
            ).first()
        values["duplicate_of"] = original
        row = Article(**values, version=1, first_seen=now, last_seen=now)
        session.add(row)
        session.flush()
        return ("duplicate" if original else "new"), row.id

    @staticmethod
    def _set_state(session: Session, url: str, state: str, reason: str | None, article_id: int | None,
                   run_id: int | None, now: datetime) -> None:
        row = session.get(UrlState, url)
        if row is None:
            session.add(UrlState(url=url, state=state, reason=reason, article_id=article_id, run_id=run_id,
                                 attempts=1, updated_at=now))
        else:
            row.state, row.reason, row.article_id, row.run_id = state, reason, article_id, run_id
            row.attempts += 1
            row.updated_at = now

    def start_run(self, spider: str, site: str | None = None, args: dict[str, Any] | None = None) -> int:
        with Session(self.engine) as session, session.begin():
            run = CrawlRun(spider=spider, site=site, args=args, started_at=utcnow(), status="running")
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id)
                            .values(status=status, finished_at=utcnow(), **counts))

    # --- reads -------------------------------------------------------------------------------

    def get(self, key: str | int) -> Record | None:
        """A record by id or by URL (fetch URL or canonical URL)."""
        with Session(self.engine) as session:
            row = None
            if isinstance(key, int) or str(key).isdigit():
                row = session.get(Article, int(key))
            else:
                from crawler.parsing.urls import canonicalize

                row = session.scalars(select(Article).where(or_(
                    Article.canonical_url == canonicalize(str(key)), Article.url == str(key)))).first()
            return article_to_record(row) if row else None

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Past versions of an article, oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article_id)
                                   .order_by(ArticleVersion.version))
            return [{"version": r.version, "fetched_at": r.fetched_at, "record": r.record} for r in rows]

    def _select(self, filters: Filters):  # noqa: ANN202 - a SQLAlchemy Select
        query = select(Article)
        if not filters.include_duplicates:
            query = query.where(Article.duplicate_of.is_(None))
        if filters.site:
            query = query.where(Article.site == filters.site)
        if filters.category:
            query = query.where(Article.category == filters.category)
        if filters.since:
            query = query.where(Article.published_utc >= filters.since)
        if filters.until:
            query = query.where(Article.published_utc < filters.until)
        query = query.order_by(Article.published_utc.desc().nulls_last(), Article.id.desc())
        if filters.limit:
            query = query.limit(filters.limit)
        return query

    def iter_records(self, filters: Filters | None = None, batch: int = 500) -> Iterator[Record]:
        """Stream records newest first in constant memory."""
        with Session(self.engine) as session:
            result = session.execute(self._select(filters or Filters()).execution_options(yield_per=batch))
            for row in result.scalars():
                yield article_to_record(row)
                session.expunge(row)

    def stats(self) -> dict[str, Any]:
        """Counts per site, per URL state, rejects and the latest runs."""
        with Session(self.engine) as session:
            per_site = session.execute(
                select(Article.site, func.count(), func.count(Article.duplicate_of))
                .group_by(Article.site).order_by(Article.site)).all()
            states = dict(session.execute(select(UrlState.state, func.count()).group_by(UrlState.state)).all())
            rejects = session.scalar(select(func.count()).select_from(Reject)) or 0
            runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(5)).all()
            return {
                "articles": sum(r[1] for r in per_site),
                "duplicates": sum(r[2] for r in per_site),
                "rejects": rejects,
                "sites": [{"site": s, "records": n, "duplicates": d} for s, n, d in per_site],
                "url_states": states,
                "runs": [{"id": r.id, "status": r.status, "started_at": r.started_at.isoformat(timespec="seconds"),
                          "pages": r.pages, "new": r.items_new, "updated": r.items_updated,
                          "unchanged": r.items_unchanged, "duplicate": r.items_duplicate,
                          "rejected": r.items_rejected, "errors": r.errors} for r in runs],
            }


def _column_value(value: Any) -> Any:
    """Dataclass parts become plain JSON data for JSON columns."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, list):
        return [asdict(v) if is_dataclass(v) else v for v in value]
    return value
