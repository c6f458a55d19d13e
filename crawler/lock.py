"""One crawl per site at a time, safe under cron.

An exclusive ``flock`` on a small file per (database, site): the kernel drops it when the
process ends, however it ends (SIGKILL included), so a crashed run never holds the lock.
The file records who holds it, for the message the second run prints.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from types import TracebackType

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
        digest = hashlib.sha1(f"{db_url}\n{site}".encode()).hexdigest()[:16]
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in site)[:60]
        self.path = lock_dir() / f"{safe}-{digest}.lock"
        self._handle = None

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
        return self

    def release(self) -> None:
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
