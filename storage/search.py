"""Full-text search over title, summary and body, Chinese included, on SQLite and PostgreSQL.

Chinese has no spaces between words and most words are two characters, which neither a
word tokenizer (a whole run of Chinese is one "word") nor a trigram one (never matches a
2-character word) can serve. Both backends therefore index the same transformed text:
every run of CJK characters becomes its overlapping bigrams, in order, followed by its
single characters (``天气预报`` -> ``天气 气预 预报 天 气 预 报``); other text is left as it
is. A query turns a Chinese word into the phrase of its bigrams (a single character stays
a single character), so ``天气`` matches exactly the texts that contain 天气, and ``天气预报``
those with the four characters in a row. Words in other scripts are ordinary words.

SQLite: an FTS5 table (unicode61 tokenizer) in a file beside the database
(``<database>.search``), kept in step by ``SqliteIndex.sync``, which every search runs
first: it compares each article's ``(version, content_hash, fetched_at)`` with what was
indexed and re-indexes only what changed. The index lives outside the store so the
crawler's write path and the store's schema stay untouched (migrations are compared with
the models table by table). ``newscrawl browse`` attaches it for Datasette.

PostgreSQL: revision ``s001`` (branch ``search``) keeps a ``tsvector`` per article in
``newscrawl_search.docs`` (GIN-indexed), built with the ``simple`` configuration from the
same transformed text (an SQL twin of ``grams``); queries use
``phraseto_tsquery('simple', ...)``. Since ``s003`` the documents are built lazily, as on
SQLite: triggers on ``articles`` only note inserted and re-texted ids in
``newscrawl_search.pending`` and ``PgIndex.sync``, run by every search, builds those
documents. Building them on every insert cost 2.7 ms of database CPU per stored page, three
quarters of what a crawl asked of PostgreSQL, and stopped a second crawl process from adding
much on a shared machine. The price: the first search after a large crawl indexes what the
crawl stored (measured in the README's Scaling section).

Query syntax (both backends): words and ``"quoted phrases"``, all of which must match;
matching ignores case.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_RUN = re.compile(f"[{CJK}]+")
_SEGMENT = re.compile(f"[{CJK}]+|[^{CJK}]+")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_WORDISH = re.compile(r"\w", re.UNICODE)
FTS_TABLE = "articles_fts"
PG_SCHEMA = "newscrawl_search"
logger = logging.getLogger(__name__)


class SearchError(Exception):
    """A query that cannot be run (empty, or no search index on this database)."""


def _run_grams(run: str) -> str:
    if len(run) == 1:
        return f" {run} "
    bigrams = " ".join(run[i:i + 2] for i in range(len(run) - 1))
    return f" {bigrams} {' '.join(run)} "


def grams(value: str | None) -> str:
    """The text as it is indexed: each CJK run as its bigrams then its characters."""
    return _CJK_RUN.sub(lambda m: _run_grams(m.group()), value or "")


def query_terms(query: str) -> list[str]:
    """The user's query as its terms: words and quoted phrases."""
    return [(m.group(1) if m.group(1) is not None else m.group(2)).strip() for m in _TERM.finditer(query)
            if (m.group(1) or m.group(2) or "").strip()]


def query_phrases(query: str) -> list[str]:
    """Each phrase that must match, as space-separated tokens: a term split where the script
    changes, Chinese runs as their bigrams (a single character as itself)."""
    phrases: list[str] = []
    for term in query_terms(query):
        for segment in _SEGMENT.findall(term):
            if _CJK_RUN.fullmatch(segment):
                phrases.append(segment if len(segment) == 1 else
                               " ".join(segment[i:i + 2] for i in range(len(segment) - 1)))
            elif _WORDISH.search(segment):
                phrases.append(" ".join(segment.split()))
    if not phrases:
        raise SearchError(f"nothing to search for in {query!r}: give at least one word")
    return phrases


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression: every phrase quoted (no FTS5 syntax leaks from user input)."""
    return " AND ".join('"' + phrase.replace('"', '""') + '"' for phrase in query_phrases(query))


def needles(query: str) -> list[str]:
    """Plain substrings to highlight in a snippet."""
    out: list[str] = []
    for term in query_terms(query):
        out += [s.strip() for s in _SEGMENT.findall(term) if _WORDISH.search(s) and s.strip()]
    return out


def snippet(body: str, query: str, width: int = 80) -> str:
    """A window of ``body`` around the first hit of the query, on one line."""
    flat = " ".join(body.split())
    lower = flat.lower()
    hits = [i for n in needles(query) if (i := lower.find(n.lower())) >= 0]
    if not hits:
        return flat[:width] + ("…" if len(flat) > width else "")
    start = max(0, min(hits) - width // 3)
    piece = flat[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float


def search_path(engine: Engine) -> Path:
    """Where the SQLite search index of this store lives."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        raise SearchError("full-text search on SQLite needs a database file")
    return Path(database).expanduser().resolve().with_name(Path(database).name + ".search")


class SqliteIndex:
    """The FTS5 index beside a SQLite store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = search_path(engine)
        self.store = Path(engine.url.database or "").expanduser().resolve()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{quote(str(self.path))}", uri=True, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                     "title, summary, body_text, tokenize='unicode61 remove_diacritics 2')")
        conn.execute("CREATE TABLE IF NOT EXISTS indexed (id INTEGER PRIMARY KEY, version INTEGER, "
                     "content_hash TEXT, fetched_at TEXT)")
        conn.execute("ATTACH DATABASE ? AS store", (f"file:{quote(str(self.store))}?mode=ro",))
        return conn

    def sync(self, batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
        """Index what changed since the last sync; returns how many articles were (re)indexed
        or removed. ``progress`` is told the count so far after each batch of a backlog."""
        conn = self._connect()
        try:
            gone = [r[0] for r in conn.execute(
                "SELECT i.id FROM indexed i WHERE NOT EXISTS (SELECT 1 FROM store.articles a WHERE a.id = i.id)")]
            changed = [r[0] for r in conn.execute(
                "SELECT a.id FROM store.articles a LEFT JOIN indexed i ON i.id = a.id WHERE i.id IS NULL "
                "OR i.version IS NOT a.version OR i.content_hash IS NOT a.content_hash "
                "OR i.fetched_at IS NOT a.fetched_at ORDER BY a.id")]
            for start in range(0, len(gone), batch):
                part = gone[start:start + batch]
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [(i,) for i in part])
                conn.executemany("DELETE FROM indexed WHERE id = ?", [(i,) for i in part])
                conn.execute("COMMIT")
            for start in range(0, len(changed), batch):
                part = changed[start:start + batch]
                marks = ",".join("?" * len(part))
                conn.execute("BEGIN IMMEDIATE")
                rows = conn.execute("SELECT id, title, summary, body_text, version, content_hash, fetched_at "
                                    f"FROM store.articles WHERE id IN ({marks})", part).fetchall()
                conn.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [(i,) for i in part])
                conn.executemany(f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body_text) VALUES (?, ?, ?, ?)",
                                 [(r[0], grams(r[1]), grams(r[2]), grams(r[3])) for r in rows])
                conn.executemany("INSERT OR REPLACE INTO indexed VALUES (?, ?, ?, ?)",
                                 [(r[0], r[4], r[5], r[6]) for r in rows])
                conn.execute("COMMIT")
                if progress is not None and len(changed) > batch:
                    progress(start + len(part))
            return len(gone) + len(changed)
        finally:
            conn.close()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop the index and build it again from the store."""
        self.path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        return self.sync(progress=progress)

    def query(self, query: str, where: str, params: list, limit: int | None) -> list[Hit]:
        match = fts5_query(query)
        conn = self._connect()
        try:
            sql = (f"SELECT f.rowid, bm25({FTS_TABLE}, 10.0, 3.0, 1.0) AS score FROM {FTS_TABLE} f "
                   f"JOIN store.articles a ON a.id = f.rowid WHERE {FTS_TABLE} MATCH ? {where} "
                   "ORDER BY score, f.rowid DESC" + (" LIMIT ?" if limit else ""))
            args = [match, *params] + ([limit] if limit else [])
            return [Hit(int(r[0]), -float(r[1])) for r in conn.execute(sql, args)]
        except sqlite3.OperationalError as exc:
            raise SearchError(f"search failed: {exc}") from exc
        finally:
            conn.close()


class PgIndex:
    """The ``newscrawl_search`` documents of a PostgreSQL store (migrations s001-s003)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sync(self, batch: int = 1000, progress: Callable[[int], None] | None = None) -> int:
        """Build the documents of pending articles, ``batch`` per transaction; returns how many.

        Each batch takes its ids with ``FOR UPDATE SKIP LOCKED``, so searches running at the
        same time share the work instead of doing it twice, and a crawler that re-texts an
        article meanwhile queues it again (its pending row waits for this one to go)."""
        done = 0
        while True:
            with self.engine.begin() as conn:
                n = conn.execute(text(_PG_SYNC), {"n": batch}).scalar() or 0
            done += n
            if progress is not None and n and done >= batch:  # a backlog, not the usual handful
                progress(done)
            if n < batch:
                return done

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Queue every article again and index them all."""
        with self.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {PG_SCHEMA}.pending (article_id) SELECT id FROM articles "
                              "ON CONFLICT DO NOTHING"))
        return self.sync(progress=progress)


_PG_SYNC = f"""
WITH batch AS (
  DELETE FROM {PG_SCHEMA}.pending WHERE article_id IN (
    SELECT article_id FROM {PG_SCHEMA}.pending ORDER BY article_id LIMIT :n FOR UPDATE SKIP LOCKED)
  RETURNING article_id),
built AS (
  INSERT INTO {PG_SCHEMA}.docs (article_id, doc)
  SELECT a.id, {PG_SCHEMA}.document(a.title, a.summary, a.body_text)
  FROM articles a JOIN batch b ON b.article_id = a.id
  ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc
  RETURNING 1)
SELECT count(*) FROM batch
"""


def _sqlite_where(selection) -> tuple[str, list]:  # noqa: ANN001 - storage.report.Selection
    clauses, params = [], []
    if not selection.include_removed:
        clauses.append("a.removed_at IS NULL")
    if selection.duplicates == "hide":
        clauses.append("a.duplicate_of IS NULL")
    elif selection.duplicates == "only":
        clauses.append("a.duplicate_of IS NOT NULL")
    for column, value, op in (("site", selection.site, "="), ("category", selection.category, "="),
                              ("published_utc", selection.since, ">="), ("published_utc", selection.until, "<")):
        if value is not None:
            clauses.append(f"a.{column} {op} ?")
            params.append(value.strftime("%Y-%m-%d %H:%M:%S.%f") if hasattr(value, "strftime") else value)
    return "".join(f" AND {c}" for c in clauses), params


def _pg_hits(engine: Engine, query: str, selection, limit: int | None) -> list[Hit]:  # noqa: ANN001
    from storage.models import Article
    from storage.report import apply_selection

    phrases = query_phrases(query)
    tsq = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
    binds = {f"p{i}": p for i, p in enumerate(phrases)}
    stmt = (select(Article.id, text(f"ts_rank_cd(d.doc, ({tsq}))").bindparams(**binds))
            .select_from(Article.__table__.join(text(f"{PG_SCHEMA}.docs d"), text("d.article_id = articles.id")))
            .where(text(f"d.doc @@ ({tsq})").bindparams(**binds)))
    stmt = apply_selection(stmt, selection, order=False)
    stmt = stmt.order_by(text("2 DESC"), Article.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": f"{PG_SCHEMA}.docs"}).scalar()
        if not exists:
            raise SearchError("this database has no search index (run any newscrawl command to migrate it)")
        return [Hit(int(r[0]), float(r[1])) for r in conn.execute(stmt)]


def index_for(engine: Engine) -> SqliteIndex | PgIndex:
    """The search index of a store, whichever its backend: both have ``sync`` and
    ``rebuild``, each taking an optional ``progress`` callback."""
    return PgIndex(engine) if engine.dialect.name == "postgresql" else SqliteIndex(engine)


def _pg_sync(engine: Engine, progress: Callable[[int], None] | None) -> None:
    """Index what is queued before a search. A reader that may not write (a read-only role or
    a standby) still searches what is indexed, and is told what it misses; a database
    without the search schema is left to ``_pg_hits`` to explain."""
    from psycopg import errors

    try:
        PgIndex(engine).sync(progress=progress)
    except DBAPIError as exc:
        cause = exc.orig
        if isinstance(cause, errors.UndefinedTable | errors.InvalidSchemaName):
            return
        if not isinstance(cause, errors.InsufficientPrivilege | errors.ReadOnlySqlTransaction):
            raise
        logger.warning("search index not brought up to date (%s); searching what is already indexed; "
                       "`newscrawl index` with a role that may write catches it up", str(cause).splitlines()[0])


def search(engine: Engine, query: str, selection, sync: bool = True,  # noqa: ANN001
           progress: Callable[[int], None] | None = None) -> list[Hit]:
    """Article ids matching ``query`` within ``selection`` (site, dates, duplicates, limit),
    best first. ``sync`` brings the index up to date first; ``progress`` is told how many
    articles were indexed so far when there was a backlog."""
    query_phrases(query)  # an empty query is an error on every backend
    if engine.dialect.name == "postgresql":
        if sync:
            _pg_sync(engine, progress)
        return _pg_hits(engine, query, selection, selection.limit)
    index = SqliteIndex(engine)
    try:
        if sync:
            index.sync(progress=progress)
    except sqlite3.Error as exc:
        raise SearchError(f"cannot update the search index {index.path}: {exc}") from exc
    where, params = _sqlite_where(selection)
    return index.query(query, where, params, selection.limit)


def iter_hits_records(engine: Engine, hits: Iterable[Hit]) -> Iterator[tuple[Hit, object]]:
    """The records of ``hits``, in the hits' order."""
    from storage.report import records_by_id

    hits = list(hits)
    records = records_by_id(engine, [h.id for h in hits])
    for hit in hits:
        if hit.id in records:
            yield hit, records[hit.id]
