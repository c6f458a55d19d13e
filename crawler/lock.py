"""One crawl per site at a time, safe under cron.

An exclusive ``flock`` on a small file per (database, site): the kernel drops it when the
process ends, however it ends (SIGKILL included), so a crashed run never holds the lock.
The file records who holds it, for the message the second run prints.

The database is the resolved one, not the text of ``--db``: a SQLite file by its real path
(``sqlite:////abs/x.db``, ``sqlite:///x.db`` from its folder and a symlink are one lock);
a PostgreSQL database by its user-independent address (host resolved, loopback names as one,
the default port filled in) and database name. With PostgreSQL the lock is also taken inside
the database (``pg_try_advisory_lock`` on a connection held for the run, released by the
server when the process dies), so crawls on different machines exclude each other too.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import json
import os
import socket
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from crawler.exitcodes import EXIT_LOCKED

__all__ = ["EXIT_LOCKED", "AlreadyRunning", "SiteLock"]


class AlreadyRunning(RuntimeError):
    """Another process holds the site's crawl lock."""


def lock_dir() -> Path:
    return Path(os.environ.get("NEWSCRAWL_LOCK_DIR") or Path(tempfile.gettempdir()) / "newscrawl-locks")


class SiteLock:
    """``with SiteLock(db_url, site):`` - raises AlreadyRunning when the site is being crawled."""

    def __init__(self, db_url: str, site: str) -> None:
        self.site = site
        self.db_url = db_url
        digest = hashlib.sha1(f"{database_key(db_url)}\n{site}".encode()).hexdigest()[:16]
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in site)[:60]
        self.path = lock_dir() / f"{safe}-{digest}.lock"
        self._handle = None
        self._pg: Any = None  # the connection holding the PostgreSQL advisory lock

    def acquire(self) -> SiteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise AlreadyRunning(f"another crawl of {self.site!r} is running ({_describe(holder)}); "
                                 f"lock file {self.path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": time.strftime("%Y-%m-%dT%H:%M:%S")}))
        handle.flush()
        self._handle = handle
        try:
            self._advisory_lock()
        except AlreadyRunning:
            self.release()
            raise
        return self

    def _advisory_lock(self) -> None:
        """With PostgreSQL, the same lock inside the database (other machines see it)."""
        if not self.db_url.startswith(("postgresql", "postgres")):
            return
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        from storage.db import make_engine
        from storage.errors import StorageError

        key = int.from_bytes(hashlib.sha1(f"newscrawl\n{self.site}".encode()).digest()[:8], "big", signed=True)
        try:
            engine = make_engine(self.db_url)
            conn = engine.connect()
        except (SQLAlchemyError, StorageError):  # the database is away: the crawl says so itself
            return
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
            conn.commit()  # session-level lock: kept after the transaction, until the connection ends
        except SQLAlchemyError:
            conn.close()
            engine.dispose()
            return
        if not got:
            conn.close()
            engine.dispose()
            raise AlreadyRunning(f"another crawl of {self.site!r} into this PostgreSQL database is running "
                                 f"(advisory lock {key} is held, maybe from another machine)")
        self._pg = (engine, conn)

    def release(self) -> None:
        if self._pg is not None:
            engine, conn = self._pg
            try:
                conn.close()
                engine.dispose()  # the session ends, and the server drops its advisory lock
            except Exception:  # noqa: BLE001, S110 - releasing: a dead connection holds nothing either
                pass
            self._pg = None
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> SiteLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _describe(holder: str) -> str:
    try:
        data = json.loads(holder)
        return f"pid {data['pid']} since {data['since']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def database_key(db_url: str) -> str:
    """The database ``db_url`` names, however it is spelled: the key of its crawl locks."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError:
        return db_url
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return db_url
        return "sqlite:" + os.path.realpath(url.database)  # relative paths from the cwd, as SQLite opens them
    host = _host_key(url.host or url.query.get("host") or "")  # type: ignore[arg-type]
    port = url.port or {"postgresql": 5432, "mysql": 3306}.get(backend, 0)
    return f"{backend}://{host}:{port}/{url.database or ''}"


def _host_key(host: str) -> str:
    """One spelling per host: loopback names and addresses as one, names resolved to their address."""
    if not host or host.startswith("/"):
        return host or "local-socket"
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return "loopback"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        try:
            address = ipaddress.ip_address(sorted(info[4][0] for info in socket.getaddrinfo(name, None))[0])
        except (OSError, IndexError, ValueError):
            return name
    return "loopback" if address.is_loopback else str(address)
