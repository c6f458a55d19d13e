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

import functools
import hashlib
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, undefer
from tenacity import retry, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential

from storage import neardup
from storage.checks import InvalidRecord, check_record, check_text
from storage.models import (
    Article,
    ArticleVersion,
    CrawlRun,
    LshBand,
    RawPagePart,
    RawPageRow,
    Reject,
    StoreMeta,
    UrlState,
)
from storage.outcomes import Failed, Item, PagePart, RawPage, Rejected, Skipped
from storage.record import FIELD_NAMES, Record, plain
from storage.report import Selection, iter_records
from storage.textfold import content_hash as compute_content_hash

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


# One policy for every write: transient errors retried with backoff for up to a minute.
_RETRY = retry(retry=retry_if_exception(_transient), wait=wait_exponential(multiplier=0.2, max=5),
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


class _NewArticle:
    """An article row this batch will insert; ``id`` is set once it is written."""

    __slots__ = ("band_keys", "id", "values")

    def __init__(self, values: dict[str, Any], band_keys: list[tuple[int, int]]) -> None:
        self.values = values
        self.band_keys = band_keys
        self.id: int | None = None


class _Batch:
    """What one store transaction knows beyond its own statements, so that most items cost
    no query of their own: the batch's existing articles and URL states, which of its
    content hashes and band keys the store already holds (one query each for the whole
    batch), and the new articles and URL states it writes together at the end (one
    multi-row INSERT each instead of a flush per item).

    New articles wait in ``pending`` until an item needs their ids (a later copy of the same
    text or URL in the same batch, rare) or the batch ends."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.articles: dict[str, Article | _NewArticle] = {}
        self.state_rows: dict[str, UrlState] = {}
        self.states: dict[str, dict[str, Any]] = {}
        # content hash -> (lowest article id holding it, that article's original)
        self.hashes: dict[str, tuple[int, int]] = {}
        self.requery: set[str] = set()  # hashes whose cached answer an update made stale
        self.pending_hashes: dict[str, _NewArticle] = {}
        # band key -> ids of the stored articles holding it (this batch's written ones included),
        # for every band key of the batch's new records; and (duplicate_of, minhash) by article id
        self.holders: dict[int, set[int]] = {}
        self.looked_up: set[int] = set()  # the band keys ``holders`` answers for
        self.minhashes: dict[int, tuple[int | None, bytes | None]] = {}
        self.pending_keys: set[int] = set()
        self.pending: list[_NewArticle] = []
        self.signatures: dict[int, bytes | None] = {}  # id(record) -> its signature
        self.bands: dict[bytes, list[tuple[int, int]]] = {}  # signature -> its band keys

    @classmethod
    def prefetch(cls, session: Session, items: Sequence[Item]) -> _Batch:
        batch = cls(session)
        records = [i for i in items if isinstance(i, Record)]
        urls = [r.canonical_url for r in records]
        state_urls = urls + [i.url for i in items if isinstance(i, Rejected | Failed | Skipped)]
        hashes = list({r.content_hash for r in records if r.content_hash})
        for chunk in _chunks(urls):
            for row in session.scalars(select(Article).where(Article.canonical_url.in_(chunk))):
                batch.articles[row.canonical_url] = row
        keys: set[int] = set()
        for record in records:
            if record.canonical_url not in batch.articles:  # a new URL: its text is looked up
                if sig := batch.signature(record):
                    keys.update(key for _, key in batch.band_keys(sig))
        for chunk in _chunks(state_urls):
            for state in session.scalars(select(UrlState).where(UrlState.url.in_(chunk))):
                batch.state_rows[state.url] = state
        for text_hash, article_id, original in _select_in(session, Article.__table__,
                                                          ("content_hash", "id", "duplicate_of"), "content_hash",
                                                          hashes, order_by="id"):
            batch.hashes.setdefault(text_hash, (article_id, original or article_id))
        batch.look_up_keys(keys)
        wanted: set[int] = set()
        for record in records:
            if record.canonical_url not in batch.articles and (sig := batch.signature(record)):
                wanted.update(batch.candidates([key for _, key in batch.band_keys(sig)]))
        batch.load_minhashes(wanted)
        return batch

    def look_up_keys(self, keys: set[int]) -> None:
        """Which stored articles hold these band keys, for the whole batch at once.

        Each new article used to ask on its own (a GROUP BY on ``lsh_bands``, then the minhash
        of the candidates): 29% of the store process's CPU in py-spy on the 20,000-page bench
        crawl. On that site almost every band key is held by one article at most (89,274
        distinct keys of 90,000 rows at 5,000 articles), so this answer is small. Measured with
        ``python -m benchmarks.bench_store``: 0.659 -> 0.550 ms of CPU per stored article
        (medians of 6 interleaved rounds, 5,000 articles into SQLite), the same rows stored."""
        missing = list(keys - self.looked_up)
        self.looked_up.update(missing)
        for key, article_id in _select_in(self.session, LshBand.__table__, ("key", "article_id"), "key", missing):
            self.holders.setdefault(key, set()).add(article_id)

    def load_minhashes(self, ids: set[int]) -> None:
        """(duplicate_of, minhash) of these articles, those not known yet, in one query a chunk."""
        missing = [article_id for article_id in ids if article_id not in self.minhashes]
        for article_id, original, minhash in _select_in(self.session, Article.__table__,
                                                        ("id", "duplicate_of", "minhash"), "id", sorted(missing)):
            self.minhashes[article_id] = (original, minhash)

    def candidates(self, keys: list[int]) -> list[int]:
        """The stored articles sharing band keys with ``keys``: those sharing the most first,
        then the lowest id, at most ``MAX_CANDIDATES``. What the GROUP BY query answered
        (``count(article_id) ... ORDER BY count DESC, article_id LIMIT 50``), from ``holders``."""
        unique = set(keys)
        self.look_up_keys(unique)  # (every key of a new record was looked up by the prefetch)
        counts: dict[int, int] = {}
        for key in unique:
            for article_id in self.holders.get(key, ()):
                counts[article_id] = counts.get(article_id, 0) + 1
        if len(counts) <= 1:
            return list(counts)
        return sorted(counts, key=lambda article_id: (-counts[article_id], article_id))[:MAX_CANDIDATES]

    def hold(self, article_id: int, band_keys: list[tuple[int, int]]) -> None:
        """An article of this batch now holds these band keys in the store."""
        for _, key in band_keys:
            self.holders.setdefault(key, set()).add(article_id)

    def signature(self, record: Record) -> bytes | None:
        """The record's near-duplicate signature (computed by the parse worker, else here once)."""
        sig = self.signatures.get(id(record))
        if sig is None:
            sig = getattr(record, "signature", None) or neardup.signature(record.body_text)
            self.signatures[id(record)] = sig
        return sig

    def band_keys(self, sig: bytes) -> list[tuple[int, int]]:
        """``neardup.band_keys(sig)``, hashed once a batch (the prefetch and the insert both ask)."""
        keys = self.bands.get(sig)
        if keys is None:
            keys = self.bands[sig] = neardup.band_keys(sig)
        return keys

    def article(self, canonical_url: str) -> Article | None:
        """The stored article at this URL (one inserted earlier in the batch included)."""
        found = self.articles.get(canonical_url)  # the prefetch loaded every URL of the batch
        if isinstance(found, _NewArticle):
            self.write_pending()
            found = self.session.get(Article, found.id)
            if found is not None:
                self.articles[canonical_url] = found
        return found

    def first_with_hash(self, text_hash: str) -> int | None:
        """The original of the first article holding this content hash, or None."""
        if text_hash in self.requery:
            hit = self.session.execute(select(Article.id, Article.duplicate_of).where(
                Article.content_hash == text_hash).order_by(Article.id).limit(1)).first()
            return (hit.duplicate_of or hit.id) if hit else None
        if text_hash in self.hashes:
            return self.hashes[text_hash][1]
        if text_hash in self.pending_hashes:
            self.write_pending()
            return self.hashes[text_hash][1]
        return None

    def may_share_bands(self, keys: list[int]) -> bool:
        """Whether any stored article may share a band with these keys (if one of this batch
        does, it is written first: its id decides its rank among the candidates)."""
        if self.pending_keys.intersection(keys):
            self.write_pending()
        holders = self.holders
        return any(holders.get(key) for key in keys)

    def text_changed(self, article: Article, sig: bytes | None) -> None:
        """An update gave this article a new text: answers cached from its old hash are stale,
        and its new hash and band keys are now in the store."""
        for text_hash, (row_id, _) in list(self.hashes.items()):
            if row_id == article.id:
                del self.hashes[text_hash]
                self.requery.add(text_hash)
        if article.content_hash and article.content_hash not in self.requery:
            known = self.hashes.get(article.content_hash)
            if known is None or known[0] > article.id:
                self.hashes[article.content_hash] = (article.id, article.duplicate_of or article.id)
        for holding in self.holders.values():  # its old band keys were deleted (rare: a changed text)
            holding.discard(article.id)
        if sig:
            self.hold(article.id, neardup.band_keys(sig))
        self.minhashes[article.id] = (article.duplicate_of, sig or b"")

    def add_article(self, values: dict[str, Any], band_keys: list[tuple[int, int]]) -> _NewArticle:
        new = _NewArticle(values, band_keys)
        self.pending.append(new)
        self.articles[values["canonical_url"]] = new
        if (text_hash := values["content_hash"]) and text_hash not in self.hashes:
            self.pending_hashes.setdefault(text_hash, new)
        self.pending_keys.update(key for _, key in band_keys)
        return new

    def write_pending(self) -> None:
        """Insert the pending articles (ids in parameter order) and their band keys."""
        if not self.pending:
            return
        ids = _insert_articles(self.session, [new.values for new in self.pending])
        bands = []
        for new, article_id in zip(self.pending, ids, strict=True):
            new.id = article_id
            original = new.values["duplicate_of"] or article_id
            if (text_hash := new.values["content_hash"]) and text_hash not in self.hashes:
                self.hashes[text_hash] = (article_id, original)
            bands += _band_rows(article_id, new.band_keys)
            self.hold(article_id, new.band_keys)
            self.minhashes[article_id] = (new.values["duplicate_of"], new.values["minhash"])
        _insert_rows(self.session, LshBand.__table__, bands)
        self.pending, self.pending_hashes, self.pending_keys = [], {}, set()

    def set_state(self, url: str, state: str, reason: str | None, article: int | _NewArticle | None,
                  run_id: int | None, now: datetime, attempts: int | None = None) -> None:
        """Record a URL's outcome; written with the batch (``write_states``)."""
        entry = self.states.get(url)
        if entry is None:
            self.states[url] = {"state": state, "reason": reason, "article": article, "run_id": run_id,
                                "attempts": attempts or 1, "updated_at": now}
        else:
            entry.update(state=state, reason=reason, article=article, run_id=run_id, updated_at=now)
            entry["attempts"] += attempts or 1

    def write_states(self) -> None:
        """Update the URL states that exist, insert the others in one statement."""
        self.write_pending()
        new_rows = []
        for url, entry in self.states.items():
            article = entry.pop("article")
            article_id = article.id if isinstance(article, _NewArticle) else article
            row = self.state_rows.get(url)
            if row is None:
                new_rows.append({"url": url, "article_id": article_id, **entry})
            else:
                row.state, row.reason, row.article_id, row.run_id = (entry["state"], entry["reason"], article_id,
                                                                     entry["run_id"])
                row.attempts += entry["attempts"]
                row.updated_at = entry["updated_at"]
        _insert_rows(self.session, UrlState.__table__, new_rows)


def _insert_articles(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert article rows (distinct canonical URLs); returns their ids in row order.

    PostgreSQL: one INSERT ... RETURNING, SQLAlchemy's "insertmanyvalues" in batches. SQLite
    cannot promise the order of RETURNING rows, so there SQLAlchemy runs that statement once
    per row (5,000 executions for 5,000 articles, each with its own Python overhead); an
    executemany (its driver loops in C) and one lookup of the ids by canonical URL, which is
    unique, give the same rows and ids."""
    table = Article.__table__
    assert isinstance(table, Table)
    if session.get_bind().dialect.name != "sqlite":
        return list(session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                    rows).scalars())
    session.execute(insert(table), rows)
    urls = [row["canonical_url"] for row in rows]
    ids: dict[str, int] = {}
    for url, article_id in _select_in(session, table, ("canonical_url", "id"), "canonical_url", urls):
        ids[url] = article_id
    return [ids[url] for url in urls]


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) the cheapest way for the backend.

    SQLite: one executemany, which its driver runs in C. PostgreSQL: one
    ``INSERT ... SELECT FROM unnest(array, ...)`` with a column's values as one array
    parameter. An executemany there runs one statement per row (measured: 90,000 band-key
    INSERTs for 5,000 articles, 0.15 ms of database CPU per article), and a multi-row VALUES
    statement is compiled anew by SQLAlchemy for every batch (10% of the crawl process's
    samples in py-spy); the unnest statement is the same text every time."""
    if not rows:
        return
    names = tuple(c.name for c in table.columns if c.name in rows[0])
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        session.execute(_unnest_insert(table, names), {name: [row[name] for row in rows] for name in names})
    elif _plain_columns(table, names, dialect):
        session.connection().exec_driver_sql(_driver_insert(table.name, names),
                                             [tuple(row[name] for name in names) for row in rows])
    else:
        session.execute(insert(table), rows)


@functools.cache
def _plain_columns(table: Any, names: tuple[str, ...], dialect: Any) -> bool:
    """Whether the driver takes these columns' values as they are (SQLAlchemy would not
    convert them) in its qmark style: then an executemany needs no SQLAlchemy statement.

    SQLite: the 18 ``lsh_bands`` rows of every article went through SQLAlchemy's executemany,
    which builds each row's parameters in Python (``construct_params``: 100,000 calls for
    5,000 articles, ~10% of the store's CPU under cProfile); the driver takes tuples in C."""
    return dialect.paramstyle == "qmark" and all(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) is None for name in names)


@functools.cache
def _plain_results(table: Any, names: tuple[str, ...], dialect: Any) -> bool:
    """Whether these columns' values come back from the driver as SQLAlchemy would return
    them (no result conversion), so a driver-level SELECT gives the same rows."""
    return all(table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) is None for name in names)


@functools.cache
def _driver_insert(table: str, names: tuple[str, ...]) -> str:
    """``INSERT`` text in the qmark style of SQLite's driver."""
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


@functools.cache
def _unnest_insert(table: Any, names: tuple[str, ...]) -> Any:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names)
    return text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})")


def _band_rows(article_id: int, band_keys: list[tuple[int, int]]) -> list[dict[str, int]]:
    """``lsh_bands`` rows of one article: the near-duplicate index's one row shape."""
    return [{"band": band, "key": key, "article_id": article_id} for band, key in band_keys]


def _select_in(session: Session, table: Any, columns: tuple[str, ...], where: str, values: list[Any],
               order_by: str | None = None) -> Iterator[Sequence[Any]]:
    """``SELECT columns FROM table WHERE where IN (values)`` (500 values a statement), rows
    as tuples.

    SQLite, when no column needs SQLAlchemy's conversion: the text goes to the driver as it
    is. SQLAlchemy renders an expanding IN list anew on every execution (coercing each value,
    then building the parameters in Python): the batch's lookup of ~1,800 band keys took
    3.0 ms of CPU that way and 0.9 ms through the driver (5,000 stored articles)."""
    dialect = session.get_bind().dialect
    plain = _plain_columns(table, (where,), dialect) and _plain_results(table, columns, dialect)
    order = f" ORDER BY {order_by}" if order_by else ""
    for chunk in _chunks(values):
        if plain:
            marks = ", ".join("?" * len(chunk))
            yield from session.connection().exec_driver_sql(
                f"SELECT {', '.join(columns)} FROM {table.name} WHERE {where} IN ({marks}){order}", tuple(chunk))
        else:
            query = select(*(table.c[name] for name in columns)).where(table.c[where].in_(chunk))
            yield from session.execute(query.order_by(table.c[order_by]) if order_by else query)


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class Repository:
    """Reads and writes articles, versions, URL states, runs, rejects, raw pages and the
    near-duplicate index."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index_ready = False

    # --- writes ------------------------------------------------------------------------------

    def store_batch(self, items: Sequence[Item], run_id: int | None = None, *, replay: bool = False) -> list[str]:
        """Store records, rejects and raw pages in one transaction; returns each item's outcome
        (``new``, ``updated``, ``unchanged``, ``duplicate``, ``rejected`` or ``raw``).

        Every item is checked first: one that the store refuses raises ``InvalidRecord`` and
        nothing of the batch is written. A transient database error retries the whole
        transaction; any other error rolls it back, so a batch is all or nothing.

        ``replay``: the batch may have been committed already (the store process died before
        it answered), so rejects the run has recorded are not recorded again.
        """
        for item in items:  # ~75 µs a record (measured on aeb-dev), in the store's thread or process
            check_item(item)
        if not self._index_ready:
            self.ensure_neardup_index()
        return self._store_batch(items, run_id, replay)

    @_RETRY
    def _store_batch(self, items: Sequence[Item], run_id: int | None, replay: bool = False) -> list[str]:
        outcomes: list[str] = []
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                # Every lookup of a batch is by key (URL, content hash, band key) and an index
                # scan is always right for it. Before autovacuum first analyzes a young table
                # the planner has no statistics and picks sequential scans for the batch's
                # IN lists: measured 8 ms instead of 0.8 ms per lookup at 5,000 articles, and
                # growing with the table.
                session.execute(text("SET LOCAL enable_seqscan = off"))
            batch = _Batch.prefetch(session, items)
            # (url, reason) of rejects written: a page rejected twice in one batch is recorded once
            rejected = _rejects_of_run(session, items, run_id) if replay else set()
            for item in items:
                if isinstance(item, RawPage):
                    self._store_raw(session, item)
                    outcomes.append("raw")
                elif isinstance(item, Failed | Skipped):
                    state = "failed" if isinstance(item, Failed) else "skipped"
                    if isinstance(item, Failed) and item.status in GONE:
                        _mark_removed(session, item.url, now)
                    batch.set_state(item.url, state, item.reason, None, run_id, now,
                                    attempts=item.attempts if isinstance(item, Failed) else None)
                    outcomes.append(state)
                elif isinstance(item, Rejected):
                    if (item.url, item.reason) not in rejected:
                        rejected.add((item.url, item.reason))
                        raw_id = session.scalars(select(RawPageRow.id).where(
                            RawPageRow.canonical_url == (item.canonical_url or item.url))).first()
                        session.add(Reject(url=item.url, reason=item.reason, run_id=run_id, created_at=now,
                                           canonical_url=item.canonical_url, raw_page_id=raw_id))
                    batch.set_state(item.url, "rejected", item.reason, None, run_id, now)
                    outcomes.append("rejected")
                else:
                    outcome, article = self._store_record(session, batch, item, now)
                    batch.set_state(item.canonical_url, "duplicate" if outcome == "duplicate" else "stored", outcome,
                                    article, run_id, now)
                    outcomes.append(outcome)
            batch.write_pending()
            batch.write_states()
        return outcomes

    def _store_record(self, session: Session, batch: _Batch, record: Record,
                      now: datetime) -> tuple[str, int | _NewArticle]:
        """Insert, version or touch one article; returns (outcome, its id or pending insert)."""
        existing = batch.article(record.canonical_url)
        values = {name: getattr(record, name) for name in RECORD_COLUMNS}
        for name in _PART_COLUMNS:  # JSON columns: the parts as plain dicts
            values[name] = plain(values[name])
        values["published_utc"] = _utc(record.published_at)
        values["content_hash"] = record.content_hash or compute_content_hash(record.body_text)
        values["original"] = getattr(record, "original", None)
        if existing is not None:
            existing.last_seen = now
            existing.removed_at = None  # answering again: no longer taken down
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
                batch.text_changed(existing, self._index(session, existing.id, record.body_text, replace=True))
            return "updated", existing.id
        sig = batch.signature(record)
        bands = batch.band_keys(sig) if sig else []
        values["duplicate_of"] = self._original_of(session, batch, values["content_hash"], sig,
                                                   [key for _, key in bands], record.body_text)
        new = batch.add_article({**values, "version": 1, "first_seen": now, "last_seen": now, "minhash": sig or b""},
                                bands)
        return ("duplicate" if values["duplicate_of"] else "new"), new

    def _original_of(self, session: Session, batch: _Batch, text_hash: str | None, sig: bytes | None,
                     keys: list[int], body_text: str) -> int | None:
        """The first stored copy of this text: same content hash, else the most similar
        near-duplicate at or above the threshold that agrees on the numbers (its own
        original when it is a copy). Most texts are new: the batch's prefetch answers for
        them without a query of their own."""
        if text_hash and (hit := batch.first_with_hash(text_hash)):
            return hit
        if not sig or not batch.may_share_bands(keys):
            return None
        # The articles sharing the most bands first, and only so many: on a site of near-identical
        # template pages every insert would otherwise compare against all of them.
        candidates = batch.candidates(keys)
        if not candidates:
            return None
        batch.load_minhashes(set(candidates))
        threshold = neardup.params().threshold
        scored = []
        for article_id in candidates:
            original, minhash = batch.minhashes.get(article_id, (None, None))
            if minhash and (score := neardup.similarity(sig, minhash)) >= threshold:
                scored.append((score, -article_id, original))
        scored.sort(reverse=True)
        # The most similar first; a text is read only to check that the numbers agree.
        for _, negative_id, original in scored:
            other = session.scalar(select(Article.body_text).where(Article.id == -negative_id))
            if neardup.same_facts(body_text, other or ""):
                return original or -negative_id
        return None

    @staticmethod
    def _add_bands(session: Session, article_id: int, sig: bytes | None) -> None:
        if sig:
            _insert_rows(session, LshBand.__table__, _band_rows(article_id, neardup.band_keys(sig)))

    def _index(self, session: Session, article_id: int, body_text: str, replace: bool) -> bytes | None:
        """(Re)compute an article's signature and band keys; returns the signature."""
        sig = neardup.signature(body_text)
        if replace:
            session.execute(delete(LshBand).where(LshBand.article_id == article_id))
        session.execute(update(Article).where(Article.id == article_id).values(minhash=sig or b""))
        self._add_bands(session, article_id, sig)
        return sig

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
        # the article's other pages: replaced with the first (a re-crawl may find more or fewer)
        session.execute(delete(RawPagePart).where(RawPagePart.raw_page_id == row.id))
        for number, part in enumerate(page.parts, 2):
            session.add(RawPagePart(raw_page_id=row.id, number=0 if page.single_view else number, url=part.url,
                                    http_status=part.http_status, encoding=part.encoding, compression="zlib",
                                    size=len(part.body), body=zlib.compress(part.body, 6)))
        # (the sha256 above is page 1's: a row whose parts alone changed is still rewritten here)
        session.flush()
        return row.id

    @_RETRY
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

    @_RETRY
    def start_run(self, spider: str, site: str | None = None, args: dict[str, Any] | None = None) -> int:
        with Session(self.engine) as session, session.begin():
            run = CrawlRun(spider=spider, site=site, args=args, started_at=utcnow(), status="running")
            session.add(run)
            session.flush()
            return run.id

    @_RETRY
    def mark_crashed(self, site: str | None, before_run: int) -> list[int]:
        """Runs of ``site`` still "running" from before ``before_run``: their process died (the
        site lock means no other run of the site is alive), so they are marked crashed."""
        with Session(self.engine) as session, session.begin():
            stale = session.scalars(select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.id < before_run,
                                                           CrawlRun.site == site)).all()
            for run in stale:
                run.status = "crashed"
            return [run.id for run in stale]

    @_RETRY
    def finish_run(self, run_id: int, status: str, counts: dict[str, int],
                   notes: dict[str, Any] | None = None) -> None:
        """Close a run's row with its counts; ``notes`` join the run's ``args`` (e.g.
        ``selectors``: how often each profile selector matched, read by ``newscrawl stats``)."""
        with Session(self.engine) as session, session.begin():
            values: dict[str, Any] = {"status": status, "finished_at": utcnow(), **counts}
            if notes:
                run = session.get(CrawlRun, run_id)
                values["args"] = {**((run.args or {}) if run else {}), **notes}
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))

    # --- reads -------------------------------------------------------------------------------

    def get(self, key: str | int, canonical_url: str | None = None) -> Record | None:
        """A record by id or by URL: its fetch URL or canonical URL equal to ``key``, or its
        canonical URL equal to ``canonical_url`` (the caller's canonical form of ``key``:
        URL rules are the crawler's, ``crawler.parsing.urls.canonicalize``)."""
        with Session(self.engine) as session:
            row = None
            if isinstance(key, int) or str(key).isdigit():
                row = session.get(Article, int(key))
            else:
                urls = {str(key), canonical_url or str(key)}
                row = session.scalars(select(Article).where(or_(
                    Article.canonical_url.in_(urls), Article.url == str(key)))).first()
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
                parts = self._raw_parts(row.id)
                page = RawPage(row.url, row.canonical_url, body, row.encoding, row.http_status, row.fetched_at,
                               tuple(part for _, part in parts), any(number == 0 for number, _ in parts))
                yield StoredPage(page, row_site, article_fetched)
                session.expunge(row)

    def _raw_parts(self, raw_page_id: int) -> list[tuple[int, PagePart]]:
        """A raw page's other pages, (number, part) in page order (few pages have any: one
        indexed lookup each, in a session of its own beside the streaming one)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(RawPagePart).where(RawPagePart.raw_page_id == raw_page_id)
                                   .options(undefer(RawPagePart.body)).order_by(RawPagePart.number)).all()
            return [(r.number, PagePart(r.url, zlib.decompress(r.body) if r.compression == "zlib" else r.body,
                                        r.encoding, r.http_status)) for r in rows]

    def iter_records(self, selection: Selection | None = None, batch: int = 500) -> Iterator[Record]:
        """Stream the selected records newest first in constant memory (``storage.report``)."""
        return iter_records(self.engine, selection, batch)

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


# Statuses that say an article was taken down (404 Not Found, 410 Gone).
GONE = (404, 410)


def _mark_removed(session: Session, url: str, now: datetime) -> None:
    """The stored article at ``url`` (fetch or canonical URL) now answers 404/410: it is
    marked removed, once (the first time is when it was noticed); its text and versions stay."""
    when = now.replace(tzinfo=UTC).isoformat(timespec="seconds")
    session.execute(update(Article).where(or_(Article.url == url, Article.canonical_url == url),
                                          Article.removed_at.is_(None)).values(removed_at=when))


#: the record's fields that hold parts (``check_record`` refuses a part anywhere else)
_PART_COLUMNS = ("breadcrumb", "images", "source")


def _rejects_of_run(session: Session, items: Sequence[Item], run_id: int | None) -> set[tuple[str, str]]:
    """(url, reason) of the batch's rejects that this run has recorded already. A batch can
    be written twice: the store process may die after its commit and before it answers, and
    the crawl process then writes the batch again. Articles and URL states are keyed, so
    that is harmless for them; a reject row is not, so it is looked up first. Only for such
    a replay: ``rejects`` has no index on ``url``, so this reads every reject of the run, a
    cost that would grow with the run on every batch."""
    urls = {item.url for item in items if isinstance(item, Rejected)}
    if not urls or run_id is None:
        return set()
    rows = session.execute(select(Reject.url, Reject.reason).where(Reject.run_id == run_id, Reject.url.in_(urls)))
    return {(url, reason) for url, reason in rows}
