"""Where the store pipeline's batches are written: a thread of the crawl process, or a
process of its own.

Why a process: with parse workers (the ``fast`` profile) the crawl process is the busy one.
A py-spy ``--gil`` profile of a 5,000-page crawl had the crawl process holding the GIL ~80% of
the time, while each parse worker was busy about half of it; the store thread's SQLAlchemy
work was 12% of that GIL time, every bit of it taken from Scrapy's reactor. In a process of
its own the store no longer competes for that GIL; a batch crosses to it pickled (~25 µs a
record, measured), and what comes back is small: each item's outcome and what to log.

Either way a batch is written by ``BatchWriter.write`` with the same rules: all or nothing
per batch; a data problem in one item (not the database being away) stores the rest item by
item and counts the culprit; the database staying away past the retries, or a full disk,
keeps the batch in the run's spill file for the next run. Nothing is logged or counted where
it is written: the crawl process logs and counts from the returned ``BatchResult``, so a
store process needs no logging or stats of its own.

If the store process dies (killed, out of memory), the batch it held is written again by a
thread in the crawl process, and so is every later batch: a warning says so, nothing is lost.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from crawler.lifeline import die_with_parent
from crawler.speed.gctune import tune
from storage.checks import InvalidRecord
from storage.db import connect
from storage.outcomes import Rejected
from storage.record import Record
from storage.repository import Repository
from storage.spill import SpillFile, is_disk_full


@dataclass(slots=True)
class BatchResult:
    """What writing one batch did: each stored item's outcome, and what the crawl process
    should log (errors) and count."""

    outcomes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    store_errors: int = 0
    spilled: int = 0
    disk_full: bool = False


def _data_problem(exc: BaseException) -> bool:
    """An error caused by the data of some item (worth retrying item by item), as opposed to
    the database being unreachable or broken (where every item would fail the same way)."""
    if isinstance(exc, IntegrityError | DataError | InvalidRecord):
        return True
    return isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class BatchWriter:
    """Writes batches of one run into one database (see the module docstring for the rules)."""

    def __init__(self, repo: Repository, run_id: int | None) -> None:
        self.repo = repo
        self.run_id = run_id
        self.spill = SpillFile.for_run(repo.engine, run_id)

    def write(self, batch: list[Any], replay: bool = False) -> BatchResult:
        """``replay``: the batch may be committed already (see ``Repository.store_batch``)."""
        result = BatchResult()
        try:
            result.outcomes = self.repo.store_batch(batch, self.run_id, replay=replay)
            return result
        except Exception as exc:  # noqa: BLE001 - sorted below; nothing passes silently
            if not _data_problem(exc):
                self._spill(batch, exc, result)
                return result
            result.errors.append(f"a batch of {len(batch)} items failed ({_first_line(exc)}); "
                                 "storing them one by one")
        for item in batch:
            self._store_one(item, result, replay)
        return result

    def _store_one(self, item: Any, result: BatchResult, replay: bool) -> None:
        """Store one item of a batch that failed; a record the store refuses is kept as a
        reject with the reason, anything else that fails is reported and counted."""
        try:
            result.outcomes += self.repo.store_batch([item], self.run_id, replay=replay)
        except InvalidRecord as refused:
            if isinstance(item, Record):
                canonical = item.canonical_url if isinstance(item.canonical_url, str) else None
                self._store_one(Rejected(str(item.url), f"invalid: {refused.problem}", canonical), result, replay)
                return
            self._lost(item, refused, result)
        except Exception as exc:  # noqa: BLE001 - reported and counted, never silent
            self._lost(item, exc, result)

    @staticmethod
    def _lost(item: Any, exc: BaseException, result: BatchResult) -> None:
        result.errors.append(f"could not store {getattr(item, 'url', item)}: {_first_line(exc)}")
        result.store_errors += 1

    def _spill(self, batch: list[Any], exc: BaseException, result: BatchResult) -> None:
        """The database stayed away past the retries (or the disk is full): keep the batch in
        the spill file that the next run stores first, and fail this run. Never silent."""
        result.disk_full = is_disk_full(exc)
        result.store_errors += len(batch)
        try:
            self.spill.write(batch)
        except Exception as spill_exc:  # noqa: BLE001 - e.g. the same full disk: count them as lost
            result.errors.append(f"could not store a batch of {len(batch)} items ({_first_line(exc)}) "
                                 f"nor spill it ({spill_exc})")
            return
        result.errors.append(f"could not store a batch of {len(batch)} items ({_first_line(exc)}); "
                             f"kept in {self.spill.path} for the next run")
        result.spilled += len(batch)


# --- the store process -------------------------------------------------------------------------

_WRITER: BatchWriter | None = None  # the store process's writer, opened by _open


def _open(db_url: str, run_id: int | None, gc_threshold: tuple[int, ...] | None = None,
          parent: int | None = None) -> None:
    """Store process initializer: it dies with the crawl process (``crawler.lifeline``: it
    holds both ends of its work queue's pipe, so it would never see an end of file); its own
    engine on the run's database (already migrated by the crawl process, so no migration
    check here), and the crawl's collector settings (``crawler.speed.gctune``: the ORM's objects
    made 8% of this process's CPU full collections)."""
    global _WRITER
    if parent is not None:
        die_with_parent(parent)
    _WRITER = BatchWriter(Repository(connect(db_url, create=False)), run_id)
    if gc_threshold:
        tune(gc_threshold)


def _write(batch: list[Any]) -> BatchResult:
    assert _WRITER is not None
    return _WRITER.write(batch)


def _ready() -> int:
    return os.getpid()


def _close() -> None:
    if _WRITER is not None:
        _WRITER.repo.engine.dispose()


class StoreExecutor:
    """Runs ``BatchWriter.write`` off the reactor, one batch at a time and in order: in a
    thread (``process=False``) or in a store process (``process=True``)."""

    def __init__(self, repo: Repository, run_id: int | None, process: bool,
                 gc_threshold: tuple[int, ...] | None = None) -> None:
        self.writer = BatchWriter(repo, run_id)
        self.thread: ThreadPoolExecutor | None = None
        self.process: ProcessPoolExecutor | None = None
        self.pid: int | None = None
        self.fell_back: str | None = None  # why the store process was given up, if it was
        if process:
            url = repo.engine.url.render_as_string(hide_password=False)
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
            self.process = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=_open, initargs=(url, run_id, gc_threshold, os.getpid()))
            # Start it now, while the crawl starts, not when the first batch is due.
            self._started = self.process.submit(_ready)
        else:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-store")

    def _thread(self) -> Executor:
        if self.thread is None:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-store")
        return self.thread

    async def write(self, batch: list[Any]) -> BatchResult:
        if self.process is not None:
            try:
                return await asyncio.wrap_future(self.process.submit(_write, batch))
            except BrokenProcessPool as exc:
                self._give_up_process(f"the store process died ({exc or 'killed'})")
                # it may have died after committing this batch: written again as a replay
                return await asyncio.wrap_future(self._thread().submit(self.writer.write, batch, True))
            except Exception as exc:  # noqa: BLE001 - e.g. an item that cannot be pickled: written here
                result = await asyncio.wrap_future(self._thread().submit(self.writer.write, batch))
                result.errors.insert(0, f"the store process could not take a batch of {len(batch)} items "
                                        f"({type(exc).__name__}: {exc}); written by the crawl process")
                return result
        return await asyncio.wrap_future(self._thread().submit(self.writer.write, batch))

    def _give_up_process(self, why: str) -> None:
        """Batches the dead store process held are written again by a thread: a batch is one
        transaction, so one that did not commit left nothing behind, and one that did is
        found unchanged by its URLs (stored once either way)."""
        if self.fell_back is None:
            self.fell_back = why
        if self.process is not None:
            self.process.shutdown(wait=False, cancel_futures=True)
            self.process = None

    def started_pid(self, timeout: float = 60.0) -> int | None:
        """The store process's pid once it runs (None without one)."""
        if self.process is None:
            return None
        if self.pid is None:
            self.pid = int(self._started.result(timeout=timeout))
        return self.pid

    def close(self) -> None:
        if self.process is not None:
            try:
                self.process.submit(_close).result(timeout=60)
            except Exception:  # noqa: BLE001 - closing: the engine goes with the process anyway
                pass
            self.process.shutdown(wait=True)
            self.process = None
        if self.thread is not None:
            self.thread.shutdown(wait=True)
            self.thread = None
