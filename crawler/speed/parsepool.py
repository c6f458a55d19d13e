"""Parsing off the reactor: article pages are parsed in worker processes so both cores work
and the reactor never blocks on a parse.

The worker runs ``crawler.article.process_page``, the one path from a page to a storable
record, and returns everything the spider needs from it: the cleaned, checked Record (or why
it is not an article) and the page's links, so the reactor process never builds an HTML tree
of its own. The response body crosses to the worker once (pickled bytes); the
Record comes back. With NEWSCRAWL_PARSE_WORKERS = 0 (the polite default) the same function
runs inline.

Why not ``concurrent.futures.ProcessPoolExecutor`` (used until this version): its two helper
threads (a queue feeder and a result manager) held the crawl process's GIL ~10% of the time
on the benchmark crawl (py-spy ``--gil``), every result crossed threads twice to reach the
event loop, and one worker dying (a segfault in a C parser, the OOM killer) broke the whole
pool: every later page failed. Here each worker is a spawned process on a socket pair that
the event loop reads and writes itself (an asyncio protocol, no thread); a page is sent
when a worker has fewer than ``IN_FLIGHT`` pages, so a slow page does not hold up others
behind it; a worker that dies fails only the page it was parsing (the spider records it as
not parsed, with the exit status), its queued pages go to the others, and it is replaced.
A page that takes longer than ``timeout`` seconds (NEWSCRAWL_PARSE_TIMEOUT; a pathological
page can make a regular expression or a tree walk run for hours) has its worker killed the
same way, so one page can never stall the crawl.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from crawler.article import ParseOutcome, process_page
from crawler.lifeline import die_with_parent
from crawler.parsing import ParseOptions
from crawler.speed.gctune import tune
from storage.outcomes import PagePart

logger = logging.getLogger(__name__)

IN_FLIGHT = 2  # pages sent to a worker and not answered: one parsing, one waiting in its socket
RESPAWNS_PER_WORKER = 10  # a pool that loses more workers than this parses in the crawl process
DEFAULT_TIMEOUT = 120.0  # seconds one page may take in a worker (NEWSCRAWL_PARSE_TIMEOUT)


def _warm_up() -> None:
    """Import and initialise the parser once per worker, not on its first page."""
    from crawler.parsing.clean import to_simplified

    to_simplified("預熱")


class WorkerDied(RuntimeError):
    """The worker parsing a page exited before answering. ``timed_out``: it was killed for
    running past the timeout on this page (the spider parses a page once more only after a
    death that was not that page's timeout)."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


# --- the worker process ----------------------------------------------------------------------

def _serve(sock: socket.socket, target: Callable[..., object], parent: int | None = None,
           gc_threshold: tuple[int, ...] | None = None) -> None:
    """A worker's life: read a pickled argument tuple, answer ``("ok", result)`` or
    ``("error", exception)``, until the crawl process closes its end or dies
    (``crawler.lifeline``: a worker busy on a page would not see its socket close).
    ``gc_threshold``: the crawl's collector settings, applied once the parser is imported
    (``crawler.speed.gctune``)."""
    from multiprocessing.connection import Connection

    if parent is not None:
        die_with_parent(parent)
    _warm_up()
    if gc_threshold:
        tune(gc_threshold)
    conn = Connection(sock.detach())
    while True:
        try:
            request = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, object] = ("ok", target(*pickle.loads(request)))
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the crawl process
            reply = ("error", exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
            data = pickle.dumps(("error", RuntimeError(f"unpicklable parse result: {exc!r}")))
        try:
            conn.send_bytes(data)
        except OSError:
            return


# --- the crawl process's side ----------------------------------------------------------------

_HEADER = struct.Struct("!i")  # multiprocessing.connection's frame header: a signed length
_LONG_HEADER = struct.Struct("!Q")  # after a -1 header, for frames over 2 GiB


def _frame(data: bytes) -> bytes:
    if len(data) < 0x7FFFFFFF:
        return _HEADER.pack(len(data)) + data
    return _HEADER.pack(-1) + _LONG_HEADER.pack(len(data)) + data


class _Worker(asyncio.Protocol):
    """One worker process and its socket, as seen from the event loop."""

    def __init__(self, pool: ParsePool, number: int) -> None:
        self.pool = pool
        self.number = number
        self.pending: deque[tuple[bytes, asyncio.Future[object]]] = deque()  # sent, in order
        self.head_since = 0.0  # when the worker started on pending[0] (monotonic seconds)
        self.timed_out = False
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        # The task attaching the socket: held here because the loop keeps only a weak reference
        # to a task, and one that is collected mid-way never connects the worker.
        self.connecting: asyncio.Future[object] | None = None
        self.alive = True
        ours, theirs = socket.socketpair()
        self.process = pool.context.Process(target=_serve, args=(theirs, pool.target, os.getpid(), pool.gc_threshold),
                                            daemon=True, name=f"newscrawl-parse-{number}")
        self.process.start()
        theirs.close()
        self.sock: socket.socket | None = ours

    def connect(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the socket to the running loop: a transport buffers what is written, and
        the worker takes pages once ``connection_made`` has run."""
        sock, self.sock = self.sock, None
        if sock is not None:
            self.connecting = asyncio.ensure_future(loop.connect_accepted_socket(lambda: self, sock))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if not self.alive:  # closed while connecting
            transport.close()
            return
        self.pool._dispatch()

    def send(self, payload: bytes, future: asyncio.Future[object]) -> None:
        assert self.transport is not None
        if not self.pending:
            self.head_since = time.monotonic()
        self.pending.append((payload, future))
        self.transport.write(_frame(payload))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while True:
            if len(buffer) < 4:
                return
            size = _HEADER.unpack_from(buffer)[0]
            start = 4
            if size == -1:
                if len(buffer) < 12:
                    return
                size = _LONG_HEADER.unpack_from(buffer, 4)[0]
                start = 12
            if len(buffer) < start + size:
                return
            kind, value = pickle.loads(memoryview(buffer)[start:start + size])
            del buffer[:start + size]
            _, future = self.pending.popleft()
            self.head_since = time.monotonic()
            if not future.done():
                if kind == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(value)
            self.pool._dispatch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.alive:
            self.alive = False
            self.pool._lost(self)

    def close(self) -> None:
        """Shutting our end down makes the worker's read fail: it exits. A shutdown, not just
        ``transport.close()``: the transport closes its socket on a later turn of the loop,
        and ``ParsePool.close`` waits for the workers before that turn comes."""
        self.alive = False
        if self.transport is not None:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.transport.abort()
        elif self.sock is not None:
            self.sock.close()


class ParsePool:
    """Worker processes for ``crawler.article.process_page`` (or ``target``), or inline parsing when
    ``workers`` is 0. Used from coroutines on the running asyncio loop (Scrapy's asyncio
    reactor); the processes are started at once, so they import while the crawl starts."""

    def __init__(self, workers: int, target: Callable[..., object] = process_page,
                 timeout: float | None = DEFAULT_TIMEOUT, gc_threshold: tuple[int, ...] | None = None) -> None:
        self.workers = workers
        self.gc_threshold = gc_threshold
        self.target = target
        self.timeout = timeout if timeout and timeout > 0 else None
        self.watchdog: asyncio.TimerHandle | None = None
        # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
        self.context = multiprocessing.get_context("spawn")
        self.queue: deque[tuple[bytes, asyncio.Future[object]]] = deque()  # not sent yet
        self.live: list[_Worker] = [_Worker(self, n) for n in range(workers)]
        self.loop: asyncio.AbstractEventLoop | None = None
        self.respawns = 0
        self.lost: list[str] = []  # how each lost worker ended, for the log and the tests
        self.closed = False

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self.live if w.process.pid is not None]

    async def parse(self, body: bytes, url: str, options: ParseOptions, fetched_at: datetime, status: int | None,
                    encoding: str | None, want_article: bool = True, want_links: bool = True,
                    script: str | None = None, parts: tuple[PagePart, ...] = (),
                    single_view: bool = False) -> ParseOutcome:
        """``process_page`` on a page (with ``parts``: an article's other pages, all sent to
        the worker together and merged there)."""
        args: tuple[object, ...] = (body, url, options, fetched_at, status, encoding, want_article, want_links, script)
        if parts:
            args = (*args, parts, single_view)
        return await self.call(*args)  # type: ignore[return-value]

    async def call(self, *args: object) -> object:
        """``target(*args)`` in a worker (inline without workers, or once all were lost)."""
        if not self.live:
            return self.target(*args)
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
            for worker in self.live:
                worker.connect(loop)
            self._watch()
        future: asyncio.Future[object] = loop.create_future()
        self.queue.append((pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return await future

    def _dispatch(self) -> None:
        """Send queued pages to the least busy workers with room."""
        queue = self.queue
        while queue:
            worker = min((w for w in self.live if w.transport is not None), key=lambda w: len(w.pending),
                         default=None)
            if worker is None or len(worker.pending) >= IN_FLIGHT:
                return
            payload, future = queue.popleft()
            if future.done():  # cancelled while queued (the crawl is closing)
                continue
            worker.send(payload, future)

    def _watch(self) -> None:
        """Every few seconds: kill a worker whose current page has run past the timeout
        (``_lost`` then fails that page and replaces the worker)."""
        if self.timeout is None or self.closed or self.loop is None:
            return
        now = time.monotonic()
        for worker in self.live:
            if worker.pending and not worker.timed_out and now - worker.head_since > self.timeout:
                worker.timed_out = True
                logger.error("a page took over %.0f s in parse worker %d: killing it", self.timeout, worker.number)
                worker.process.kill()
        self.watchdog = self.loop.call_later(min(5.0, self.timeout / 4), self._watch)

    def _lost(self, worker: _Worker) -> None:
        """A worker's socket closed under us: it died. Its first page fails, the rest are
        sent again, and a new worker takes its place."""
        if worker in self.live:
            self.live.remove(worker)
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        if worker.timed_out:
            how = f"killed after {self.timeout:.0f} s on one page"
        self.lost.append(how)
        if worker.pending:
            _, culprit = worker.pending.popleft()
            if not culprit.done():
                culprit.set_exception(WorkerDied(f"the parse worker died ({how})", timed_out=worker.timed_out))
        self.queue.extendleft(reversed(worker.pending))
        worker.pending.clear()
        if self.closed:
            return
        if self.respawns < RESPAWNS_PER_WORKER * self.workers:
            self.respawns += 1
            logger.warning("parse worker %d died (%s); starting another", worker.number, how)
            replacement = _Worker(self, worker.number)
            self.live.append(replacement)
            assert self.loop is not None
            replacement.connect(self.loop)
        elif not self.live:
            logger.error("parse workers died %d times (last: %s); parsing in the crawl process from now on",
                         self.respawns + 1, how)
        if self.live:
            self._dispatch()
        else:  # parse what was queued here
            queued, self.queue = self.queue, deque()
            for payload, future in queued:
                if not future.done():
                    try:
                        future.set_result(self.target(*pickle.loads(payload)))
                    except Exception as exc:  # noqa: BLE001 - raised where the page is awaited
                        future.set_exception(exc)

    def close(self) -> None:
        """Stop the workers (they exit when their socket closes) and wait for them."""
        self.closed = True
        if self.watchdog is not None:
            self.watchdog.cancel()
        workers, self.live = self.live, []
        for worker in workers:
            worker.close()
        for worker in workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        for _, future in self.queue:
            if not future.done():
                future.cancel()
        self.queue.clear()
