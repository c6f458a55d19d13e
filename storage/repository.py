"""Every read and write of the store, used by the crawl pipeline and the CLI alike.

Writes come in batches: one transaction stores a batch of records together with each URL's
crawl state (and raw pages and rejects), so a crash never leaves an article without its
state or the other way round. Every item is checked before the transaction opens
(``storage.checks``): a bad one refuses the whole batch with one clear error. Transient
errors (a locked SQLite file, a dropped PostgreSQL connection, another process inserting
the same URL first) retry the whole transaction with backoff before it is given up.

Deduplication happens here, inside that transaction: the canonical URL is unique (same
URL, changed text: the old state becomes an ``article_versions`` row; unchanged: only
``last_seen`` moves); a new URL whose text has the same content hash, or nearly the same
text by MinHash LSH (``storage.neardup``; band keys in ``lsh_bands``), is stored with
``duplicate_of`` pointing at the first copy.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, undefer
from tenacity import retry, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential

from crawler.outcomes import Failed, Skipped
from crawler.parsing.clean import content_hash as compute_content_hash
from crawler.parsing.record import FIELD_NAMES, Record
from storage import neardup
from storage.checks import InvalidRecord, check_record, check_text
from storage.models import Article, ArticleVersion, CrawlRun, LshBand, RawPageRow, Reject, StoreMeta, UrlState

RECORD_COLUMNS = [name for name in FIELD_NAMES if name != "id"]
LSH_META_KEY = "lsh"
MAX_CANDIDATES = 50  # near-duplicate candidates compared per insert
_UNIQUE = re.compile(r"unique|duplicate key", re.I)
_SQLITE_BUSY = re.compile(r"locked|busy", re.I)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _transient(exc: BaseException) -> bool:
    """Errors worth retrying the whole transaction for: a busy SQLite file, a dropped or
    conflicting PostgreSQL connection, or another process inserting the same URL first (the
    retry then takes the "existing article" path). A full disk or a missing table is not."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, IntegrityError):
        return bool(_UNIQUE.search(str(exc.orig)))
    if isinstance(exc, OperationalError):
        module = type(exc.orig).__module__ if exc.orig is not None else ""
        if module.startswith("sqlite3"):
            return bool(_SQLITE_BUSY.search(str(exc.orig)))
        return True
    return False


_RETRY = dict(retry=retry_if_exception(_transient), wait=wait_exponential(multiplier=0.2, max=5),
              stop=stop_after_delay(60) | stop_after_attempt(12), reraise=True)


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
    """A fetched page that is not stored as an article (not an article, too short, invalid).
    ``canonical_url`` (when the page parsed that far) links the reject to its raw page."""

    url: str
    reason: str
    canonical_url: str | None = None


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


Item = Record | Rejected | RawPage | Failed | Skipped


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A kept raw page with what the store knows of its article (None when it has none)."""

    page: RawPage
    site: str | None
    article_fetched_at: str | None

    @property
    def stale(self) -> bool:
        """The article was stored from a later fetch than these bytes: re-parsing them would
        roll the record back to an older text."""
        if not self.article_fetched_at or not self.page.fetched_at:
            return False
        try:
            return datetime.fromisoformat(self.page.fetched_at) < datetime.fromisoformat(self.article_fetched_at)
        except (TypeError, ValueError):
            return False


def check_item(item: Any) -> None:
    """Raise ``InvalidRecord`` for anything ``store_batch`` would refuse."""
    if isinstance(item, Record):
        check_record(item)
    elif isinstance(item, Rejected):
        if not isinstance(item.url, str) or not item.url or not isinstance(item.reason, str):
            raise InvalidRecord(f"reject {item!r:.200} needs a URL and a reason")
        check_text(item.url, f"reject URL {item.url!r:.200}")
        check_text(item.reason, f"reject reason for {item.url!r:.200}")
    elif isinstance(item, Failed | Skipped):
        if not isinstance(item.url, str) or not item.url or not isinstance(item.reason, str):
            raise InvalidRecord(f"outcome {item!r:.200} needs a URL and a reason")
        check_text(item.url, f"URL {item.url!r:.200}")
        check_text(item.reason, f"reason for {item.url!r:.200}")
    elif isinstance(item, RawPage):
        if not isinstance(item.body, bytes) or not item.canonical_url:
            raise InvalidRecord(f"raw page {item.url!r:.200} needs bytes and a canonical URL")
        for value, what in ((item.url, "URL"), (item.canonical_url, "canonical URL"), (item.fetched_at, "time")):
            check_text(value, f"raw page {what}")
    else:
        raise InvalidRecord(f"cannot store a {type(item).__name__}: expected a Record, Rejected, Failed, Skipped "
                            "or RawPage")


class Repository:
    """Reads and writes articles, versions, URL states, runs, rejects, raw pages and the
    near-duplicate index."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index_ready = False

    # --- writes ------------------------------------------------------------------------------

    def store_batch(self, items: Sequence[Item], run_id: int | None = None, *, checked: bool = False) -> list[str]:
        """Store records, rejects and raw pages in one transaction; returns each item's outcome
        (``new``, ``updated``, ``unchanged``, ``duplicate``, ``rejected`` or ``raw``).

        Every item is checked first: one that the store refuses raises ``InvalidRecord`` and
        nothing of the batch is written. A transient database error retries the whole
        transaction; any other error rolls it back, so a batch is all or nothing.
        """
        if not checked:  # the store pipeline checks each item as it arrives; others are checked here
            for item in items:
                check_item(item)
        if not self._index_ready:
            self.ensure_neardup_index()
        return self._store_batch(items, run_id)

    @retry(**_RETRY)
    def _store_batch(self, items: Sequence[Item], run_id: int | None) -> list[str]:
        outcomes: list[str] = []
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            self._prefetch(session, items)
            for item in items:
                if isinstance(item, RawPage):
                    self._store_raw(session, item)
                    outcomes.append("raw")
                elif isinstance(item, Failed | Skipped):
                    state = "failed" if isinstance(item, Failed) else "skipped"
                    self._set_state(session, item.url, state, item.reason, None, run_id, now,
                                    attempts=item.attempts if isinstance(item, Failed) else None)
                    outcomes.append(state)
                elif isinstance(item, Rejected):
                    raw_id = session.scalars(select(RawPageRow.id).where(
                        RawPageRow.canonical_url == (item.canonical_url or item.url))).first()
                    session.add(Reject(url=item.url, reason=item.reason, run_id=run_id, created_at=now,
                                       canonical_url=item.canonical_url, raw_page_id=raw_id))
                    self._set_state(session, item.url, "rejected", item.reason, None, run_id, now)
                    outcomes.append("rejected")
                else:
                    outcome, article_id = self._store_record(session, item, now)
                    self._set_state(session, item.canonical_url,
                                    "duplicate" if outcome == "duplicate" else "stored", outcome, article_id,
                                    run_id, now)
                    outcomes.append(outcome)
        return outcomes

    @staticmethod
    def _prefetch(session: Session, items: Sequence[Item]) -> None:
        """Load the batch's existing articles and URL states with one query each, so the
        per-item lookups below hit the session's identity map instead of the database."""
        urls = [i.canonical_url for i in items if isinstance(i, Record)]
        state_urls = urls + [i.url for i in items if isinstance(i, Rejected | Failed | Skipped)]
        known: dict[str, Article] = {}
        for start in range(0, len(urls), 500):
            for row in session.scalars(select(Article).where(Article.canonical_url.in_(urls[start:start + 500]))):
                known[row.canonical_url] = row
        rows: list[UrlState] = []
        for start in range(0, len(state_urls), 500):
            rows += session.scalars(select(UrlState).where(UrlState.url.in_(state_urls[start:start + 500])))
        session.info["known_articles"] = known
        session.info["known_states"] = {row.url for row in rows}
        session.info["state_rows"] = rows  # strong references: the identity map holds rows weakly

    def _store_record(self, session: Session, record: Record, now: datetime) -> tuple[str, int]:
        """Insert, version or touch one article; returns (outcome, article id)."""
        known: dict[str, Article] | None = session.info.get("known_articles")
        if known is not None:
            existing = known.get(record.canonical_url)
        else:
            existing = session.scalars(select(Article).where(Article.canonical_url == record.canonical_url)).first()
        values = {name: _column_value(getattr(record, name)) for name in RECORD_COLUMNS}
        values["published_utc"] = _utc(record.published_at)
        values["content_hash"] = record.content_hash or compute_content_hash(record.body_text)
        values["original"] = getattr(record, "original", None)
        if existing is not None:
            existing.last_seen = now
            if existing.content_hash == values["content_hash"] and existing.title == record.title:
                return "unchanged", existing.id
            old_hash = existing.content_hash
            session.add(ArticleVersion(article_id=existing.id, version=existing.version,
                                       content_hash=existing.content_hash, fetched_at=existing.fetched_at,
                                       record=article_to_record(existing).to_dict(), original=existing.original))
            for name, value in values.items():
                if name != "duplicate_of":
                    setattr(existing, name, value)
            existing.version += 1
            if old_hash != values["content_hash"]:
                self._index(session, existing.id, record.body_text, replace=True)
            return "updated", existing.id
        sig = getattr(record, "signature", None) or neardup.signature(record.body_text)
        values["duplicate_of"] = self._original_of(session, values["content_hash"], sig, record.body_text)
        row = Article(**values, version=1, first_seen=now, last_seen=now, minhash=sig or b"")
        session.add(row)
        session.flush()
        if known is not None:
            known[row.canonical_url] = row
        self._add_bands(session, row.id, sig)
        return ("duplicate" if values["duplicate_of"] else "new"), row.id

    def _original_of(self, session: Session, text_hash: str | None, sig: bytes | None, body_text: str) -> int | None:
        """The first stored copy of this text: same content hash, else the most similar
        near-duplicate at or above the threshold that agrees on the numbers (its own
        original when it is a copy)."""
        if text_hash:
            hit = session.execute(select(Article.id, Article.duplicate_of).where(Article.content_hash == text_hash)
                                  .order_by(Article.id).limit(1)).first()
            if hit:
                return hit.duplicate_of or hit.id
        if not sig:
            return None
        keys = [key for _, key in neardup.band_keys(sig)]
        # The articles sharing the most bands first, and only so many: on a site of near-identical
        # template pages every insert would otherwise compare against all of them.
        hits = func.count(LshBand.article_id)
        candidates = session.scalars(select(LshBand.article_id).where(LshBand.key.in_(keys))
                                     .group_by(LshBand.article_id).order_by(hits.desc(), LshBand.article_id)
                                     .limit(MAX_CANDIDATES)).all()
        if not candidates:
            return None
        rows = session.execute(select(Article.id, Article.duplicate_of, Article.minhash)
                               .where(Article.id.in_(candidates))).all()
        threshold = neardup.params().threshold
        scored = sorted(((score, -r.id, r) for r in rows if r.minhash
                         and (score := neardup.similarity(sig, r.minhash)) >= threshold), reverse=True)
        # The most similar first; a text is read only to check that the numbers agree.
        for _, _, row in scored:
            other = session.scalar(select(Article.body_text).where(Article.id == row.id))
            if neardup.same_facts(body_text, other or ""):
                return row.duplicate_of or row.id
        return None

    @staticmethod
    def _add_bands(session: Session, article_id: int, sig: bytes | None) -> None:
        if sig:
            session.execute(insert(LshBand), [{"band": band, "key": key, "article_id": article_id}
                                              for band, key in neardup.band_keys(sig)])

    def _index(self, session: Session, article_id: int, body_text: str, replace: bool) -> None:
        """(Re)compute an article's signature and band keys."""
        sig = neardup.signature(body_text)
        if replace:
            session.execute(delete(LshBand).where(LshBand.article_id == article_id))
        session.execute(update(Article).where(Article.id == article_id).values(minhash=sig or b""))
        self._add_bands(session, article_id, sig)

    @staticmethod
    def _store_raw(session: Session, page: RawPage) -> int:
        """Keep the latest fetched bytes of a page, zlib-compressed (HTML shrinks 4-8x)."""
        digest = hashlib.sha256(page.body).hexdigest()
        row = session.scalars(select(RawPageRow).where(RawPageRow.canonical_url == page.canonical_url)).first()
        if row is None:
            row = RawPageRow(canonical_url=page.canonical_url)
            session.add(row)
        if row.sha256 != digest:
            row.body = zlib.compress(page.body, 6)
            row.compression, row.size, row.sha256 = "zlib", len(page.body), digest
        row.url, row.fetched_at, row.http_status, row.encoding = page.url, page.fetched_at, page.http_status, \
            page.encoding
        session.flush()
        return row.id

    @retry(**_RETRY)
    def ensure_neardup_index(self, batch: int = 500) -> int:
        """Make the LSH index match the articles: rebuild it when its parameters changed,
        and sign articles that have no signature yet (rows written before revision 0002).
        Works in committed batches, so an interrupted rebuild resumes. Returns how many
        articles were signed."""
        tag = neardup.params().tag
        with Session(self.engine) as session, session.begin():
            meta = session.get(StoreMeta, LSH_META_KEY)
            if meta is None or meta.value != tag:
                session.execute(delete(LshBand))
                session.execute(update(Article).values(minhash=None))
                session.merge(StoreMeta(key=LSH_META_KEY, value=tag))
        signed = 0
        while True:
            with Session(self.engine) as session, session.begin():
                rows = session.execute(select(Article.id, Article.body_text).where(Article.minhash.is_(None))
                                       .order_by(Article.id).limit(batch)).all()
                for row in rows:
                    self._index(session, row.id, row.body_text, replace=True)
            signed += len(rows)
            if len(rows) < batch:
                break
        self._index_ready = True
        return signed

    @staticmethod
    def _set_state(session: Session, url: str, state: str, reason: str | None, article_id: int | None,
                   run_id: int | None, now: datetime, attempts: int | None = None) -> None:
        known: set[str] | None = session.info.get("known_states")
        row = session.get(UrlState, url) if known is None or url in known else None
        if known is not None:
            known.add(url)
        if row is None:
            session.add(UrlState(url=url, state=state, reason=reason, article_id=article_id, run_id=run_id,
                                 attempts=attempts or 1, updated_at=now))
        else:
            row.state, row.reason, row.article_id, row.run_id = state, reason, article_id, run_id
            row.attempts += attempts or 1
            row.updated_at = now

    @retry(**_RETRY)
    def start_run(self, spider: str, site: str | None = None, args: dict[str, Any] | None = None) -> int:
        with Session(self.engine) as session, session.begin():
            run = CrawlRun(spider=spider, site=site, args=args, started_at=utcnow(), status="running")
            session.add(run)
            session.flush()
            return run.id

    @retry(**_RETRY)
    def mark_crashed(self, site: str | None, before_run: int) -> list[int]:
        """Runs of ``site`` still "running" from before ``before_run``: their process died (the
        site lock means no other run of the site is alive), so they are marked crashed."""
        with Session(self.engine) as session, session.begin():
            stale = session.scalars(select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.id < before_run,
                                                           CrawlRun.site == site)).all()
            for run in stale:
                run.status = "crashed"
            return [run.id for run in stale]

    @retry(**_RETRY)
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

    def versions(self, article_id: int, include_current: bool = False) -> list[dict[str, Any]]:
        """Past versions of an article, oldest first (and the current one last when asked).
        Each has its number, fetch time, content hash, the schema-shaped record and, when
        script conversion changed it, the ``original`` text."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article_id)
                                   .order_by(ArticleVersion.version))
            out = [{"version": r.version, "fetched_at": r.fetched_at, "content_hash": r.content_hash,
                    "record": r.record, "original": r.original} for r in rows]
            if include_current and (current := session.get(Article, article_id)) is not None:
                out.append({"version": current.version, "fetched_at": current.fetched_at,
                            "content_hash": current.content_hash, "record": article_to_record(current).to_dict(),
                            "original": current.original})
            return out

    def original(self, article_id: int) -> dict[str, Any] | None:
        """The fields script conversion replaced in the current version, as the page had them."""
        with Session(self.engine) as session:
            return session.scalar(select(Article.original).where(Article.id == article_id))

    def iter_raw_pages(self, site: str | None = None, batch: int = 100) -> Iterator[StoredPage]:
        """Stored raw pages (decompressed) with the site and fetch time of the article they
        belong to, oldest first; ``site`` keeps only that site's pages."""
        query = (select(RawPageRow, Article.site, Article.fetched_at)
                 .outerjoin(Article, Article.canonical_url == RawPageRow.canonical_url)
                 .options(undefer(RawPageRow.body)).order_by(RawPageRow.id))
        if site:
            query = query.where(Article.site == site)
        with Session(self.engine) as session:
            for row, row_site, article_fetched in session.execute(query.execution_options(yield_per=batch)):
                body = zlib.decompress(row.body) if row.compression == "zlib" else row.body
                page = RawPage(row.url, row.canonical_url, body, row.encoding, row.http_status, row.fetched_at)
                yield StoredPage(page, row_site, article_fetched)
                session.expunge(row)

    def rejects(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest rejects: URL, reason, run and whether the raw page is kept."""
        with Session(self.engine) as session:
            rows = session.scalars(select(Reject).order_by(Reject.id.desc()).limit(limit))
            return [{"id": r.id, "url": r.url, "reason": r.reason, "run_id": r.run_id,
                     "raw_page_id": r.raw_page_id, "created_at": r.created_at.isoformat(timespec="seconds")}
                    for r in rows]

    def _select(self, filters: Filters):  # noqa: ANN202 - a SQLAlchemy Select
        from storage.report import Selection, apply_selection  # one definition of what a filter selects

        selection = Selection(site=filters.site, category=filters.category, since=filters.since, until=filters.until,
                              duplicates="include" if filters.include_duplicates else "hide")
        query = apply_selection(select(Article), selection)
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
            reasons: dict[str, int] = {}
            for reason, count in session.execute(select(Reject.reason, func.count()).group_by(Reject.reason)):
                kind = reason.split(" (", 1)[0]
                reasons[kind] = reasons.get(kind, 0) + count
            versions = session.scalar(select(func.count()).select_from(ArticleVersion)) or 0
            raw_pages = session.scalar(select(func.count()).select_from(RawPageRow)) or 0
            signed = session.scalar(select(func.count()).select_from(Article).where(
                func.length(Article.minhash) > 0)) or 0
            lsh_tag = session.scalar(select(StoreMeta.value).where(StoreMeta.key == LSH_META_KEY))
            runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(5)).all()
            return {
                "articles": sum(r[1] for r in per_site),
                "duplicates": sum(r[2] for r in per_site),
                "rejects": rejects,
                "reject_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
                "past_versions": versions,
                "raw_pages": raw_pages,
                "neardup_index": {"signed_articles": signed, "params": lsh_tag},
                "sites": [{"site": s, "records": n, "duplicates": d} for s, n, d in per_site],
                "url_states": states,
                "runs": [{"id": r.id, "status": r.status, "started_at": r.started_at.isoformat(timespec="seconds"),
                          "pages": r.pages, "new": r.items_new, "updated": r.items_updated,
                          "unchanged": r.items_unchanged, "duplicate": r.items_duplicate,
                          "rejected": r.items_rejected, "failed": r.items_failed, "skipped": r.items_skipped,
                          "errors": r.errors} for r in runs],
            }


def _column_value(value: Any) -> Any:
    """Dataclass parts become plain JSON data for JSON columns."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, list):
        return [asdict(v) if is_dataclass(v) else v for v in value]
    return value
