"""Engine creation for SQLite and PostgreSQL, schema migration, and one-line errors.

SQLite gets WAL (readers never block the writer), a 30 s busy timeout and foreign keys;
PostgreSQL URLs without a driver use psycopg 3. ``connect`` migrates the schema to the
latest Alembic revision, so a new database file is ready to use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from storage.errors import StorageError

DEFAULT_DB = "sqlite:///newscrawl.db"
MIGRATIONS = Path(__file__).with_name("migrations")


_MIGRATED: set[str] = set()  # databases this process has already brought up to date


def database_url(url: str | None = None) -> str:
    """``url``, else $NEWSCRAWL_DB, else a SQLite file in the working directory."""
    return url or os.environ.get("NEWSCRAWL_DB") or DEFAULT_DB


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI objects are untyped
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` with the project's per-backend settings."""
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise StorageError(f"not a database URL: {raw!r} (try sqlite:///path.db or postgresql://host/db)") from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().resolve().parent
            if not folder.is_dir():
                raise StorageError(f"cannot open {raw}: folder {folder} does not exist")
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"no driver for {parsed.drivername}: {exc}") from exc


def _migrations_dir() -> Path:
    """The Alembic scripts as a real directory. Deployed to Scrapyd the package runs from a
    zipped egg, where Alembic cannot read them: they are copied out to a temporary folder."""
    if MIGRATIONS.is_dir():
        return MIGRATIONS
    import tempfile
    from importlib.resources import files

    target = Path(tempfile.mkdtemp(prefix="newscrawl-migrations-"))
    source = files("storage.migrations")
    for sub in ("", "versions"):
        folder = source.joinpath(sub) if sub else source
        (target / sub).mkdir(exist_ok=True)
        for item in folder.iterdir():
            if item.is_file() and item.name.endswith((".py", ".mako")):
                (target / sub / item.name).write_bytes(item.read_bytes())
    return target


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """For SQLite files, an exclusive file lock beside the database while migrating."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Several crawl processes may open a new database at once: one migrates, the others wait.
            conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")  # every branch: article tables and crawl state


def connect(url: str | None = None, *, create: bool = True) -> Engine:
    """Open (and migrate) the database at ``url``; every failure becomes a StorageError."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if create and str(engine.url) not in _MIGRATED:
            migrate(engine)
            _MIGRATED.add(str(engine.url))
    except OperationalError as exc:
        raise StorageError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
                           f"{str(exc.orig).strip().splitlines()[0]}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"database error: {str(exc).splitlines()[0]}") from exc
    return engine
