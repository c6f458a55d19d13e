"""The parse pool (``crawler.speed.parsepool``): pages parsed in worker processes on the event loop.

Why: the pool replaced ``ProcessPoolExecutor`` for speed, and it must keep what that gave
and more: the same result as parsing inline, exceptions raised where the page is awaited,
and a worker that dies (a segfault in a C parser, the OOM killer) costing only the page it
was parsing, never the crawl. Real spawned processes, real pages, real signals.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import article
from crawler.article import process_page
from crawler.parsing import ParseOptions
from crawler.speed import parsepool
from crawler.speed.parsepool import ParsePool, WorkerDied
from tests.conftest import FIXTURES
from tests.helpers.pooltargets import echo

PAGES = sorted((FIXTURES / "pages").rglob("*.html"))[:12]

pytestmark = pytest.mark.process  # real spawned worker processes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


async def _gather(pool: ParsePool, payloads: list[bytes]) -> list[object]:
    return await asyncio.gather(*(pool.call(p) for p in payloads), return_exceptions=True)


@pytest.mark.timeout(120)
def test_pool_parses_like_inline() -> None:
    assert len(PAGES) >= 6
    fetched = datetime(2026, 11, 29, tzinfo=UTC)

    async def run() -> list[object]:
        pool = ParsePool(2)
        try:
            return await asyncio.gather(*(
                pool.parse(page.read_bytes(), f"https://example.com/{page.stem}.html", ParseOptions(), fetched, 200,
                           None, True, True, "keep") for page in PAGES))
        finally:
            pool.close()

    pooled = asyncio.run(run())
    inline = [process_page(page.read_bytes(), f"https://example.com/{page.stem}.html", ParseOptions(), fetched, 200,
                             None, True, True, "keep") for page in PAGES]
    assert pooled == inline
    assert any(outcome.record is not None for outcome in pooled)


@pytest.mark.timeout(120)
def test_both_workers_take_pages_and_bodies_cross_whole() -> None:
    big = os.urandom(3 * 1024 * 1024)  # several socket buffers' worth, both ways

    async def run() -> tuple[list[object], list[int]]:
        pool = ParsePool(2, target=echo)
        try:
            results = await _gather(pool, [b"sleep:0.05"] * 8 + [big])
            return results, pool.pids
        finally:
            pool.close()

    results, pids = asyncio.run(run())
    assert results[-1] == (results[-1][0], big)
    assert {pid for pid, _ in results} == set(pids) and len(pids) == 2


@pytest.mark.timeout(120)
def test_an_exception_is_raised_where_the_page_is_awaited() -> None:
    async def run() -> list[object]:
        pool = ParsePool(1, target=echo)
        try:
            return await _gather(pool, [b"a", b"raise", b"b"])
        finally:
            pool.close()

    first, error, last = asyncio.run(run())
    assert isinstance(error, ValueError) and str(error) == "bad page"
    assert first[1] == b"a" and last[1] == b"b" and first[0] == last[0]  # the worker lived on


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("payload", "how"), [(b"kill", "signal 9"), (b"exit", "exit code 3")])
def test_a_dead_worker_costs_only_its_page(payload: bytes, how: str) -> None:
    async def run() -> tuple[list[object], list[int], list[int], list[str]]:
        pool = ParsePool(2, target=echo)
        try:
            await _gather(pool, [b"warm"] * 4)
            before = pool.pids
            results = await _gather(pool, [b"sleep:0.2", payload, *[b"x%d" % i for i in range(12)]])
            after_crash = await _gather(pool, [b"after"] * 6)
            return results + after_crash, before, pool.pids, pool.lost
        finally:
            pool.close()

    results, before, after, lost = asyncio.run(run())
    died = [r for r in results if isinstance(r, BaseException)]
    assert len(died) == 1 and isinstance(died[0], WorkerDied) and how in str(died[0])
    assert not died[0].timed_out  # the spider parses such a page once more
    assert [r[1] for r in results if not isinstance(r, BaseException)] == (
        [b"sleep:0.2"] + [b"x%d" % i for i in range(12)] + [b"after"] * 6)
    assert lost == [how]
    assert len(after) == 2 and len(set(after) - set(before)) == 1  # replaced
    assert not any(_alive(pid) for pid in set(before) - set(after))


@pytest.mark.timeout(120)
def test_when_workers_keep_dying_pages_are_parsed_in_the_crawl_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsepool, "RESPAWNS_PER_WORKER", 0)

    async def run() -> tuple[list[object], int]:
        pool = ParsePool(1, target=echo)
        try:
            results = await _gather(pool, [b"kill", b"queued-1", b"queued-2"])
            results += await _gather(pool, [b"later"])
            return results, len(pool.live)
        finally:
            pool.close()

    results, live = asyncio.run(run())
    assert isinstance(results[0], WorkerDied)
    assert results[1:] == [(os.getpid(), b"queued-1"), (os.getpid(), b"queued-2"), (os.getpid(), b"later")]
    assert live == 0


@pytest.mark.timeout(60)
def test_close_ends_every_worker_promptly() -> None:
    async def run() -> tuple[list[int], float]:
        pool = ParsePool(2, target=echo)
        await _gather(pool, [b"a", b"b", b"c"])
        pids = pool.pids
        began = time.monotonic()
        pool.close()
        return pids, time.monotonic() - began

    pids, took = asyncio.run(run())
    assert took < 5  # the workers see their socket shut at once, no join timeout is waited out
    assert not any(_alive(pid) for pid in pids)


def test_inline_without_workers() -> None:
    pool = ParsePool(0, target=echo)
    assert asyncio.run(pool.call(b"here")) == (os.getpid(), b"here")
    pool.close()


@pytest.mark.timeout(120)
def test_a_page_past_the_timeout_kills_its_worker_and_only_that_page_fails() -> None:
    async def run() -> tuple[list[object], float, list[str]]:
        pool = ParsePool(2, target=echo, timeout=1.0)
        try:
            await _gather(pool, [b"warm"] * 2)
            began = time.monotonic()
            results = await _gather(pool, [b"sleep:600", *[b"y%d" % i for i in range(6)]])
            return results, time.monotonic() - began, pool.lost
        finally:
            pool.close()

    results, took, lost = asyncio.run(run())
    assert isinstance(results[0], WorkerDied) and "killed after 1 s on one page" in str(results[0])
    assert results[0].timed_out  # never parsed again: it would take as long once more
    assert [r[1] for r in results[1:]] == [b"y%d" % i for i in range(6)]
    assert lost == ["killed after 1 s on one page"]
    assert took < 10


def test_a_parser_exception_is_an_error_not_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page the parser fails on must not be reported as "not an article"."""
    def broken(*args: object, **kwargs: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(article, "_process_page", broken)
    outcome = process_page(b"<html></html>", "https://example.com/", ParseOptions(), datetime.now(UTC), 200, None,
                             True, False, "keep")
    assert outcome.record is None and outcome.reason is None
    assert outcome.error == "parser error: RecursionError: maximum recursion depth exceeded"


@pytest.mark.timeout(120)
def test_workers_take_the_crawls_collector_settings() -> None:
    """NEWSCRAWL_GC_THRESHOLD reaches the workers (their young-generation passes cost ~2% of
    their CPU): the thresholds are set and the imported parser frozen; "off" keeps Python's own."""
    from scrapy.settings import Settings

    from crawler.speed.gctune import threshold_setting
    from tests.helpers.pooltargets import collector

    def in_worker(setting: str) -> object:
        pool = ParsePool(1, target=collector,
                         gc_threshold=threshold_setting(Settings({"NEWSCRAWL_GC_THRESHOLD": setting})))

        async def ask() -> object:
            try:
                return await pool.call(None)
            finally:
                pool.close()

        return asyncio.run(ask())

    threshold, frozen = in_worker("5000,15,15")
    assert threshold == (5000, 15, 15) and frozen > 1000
    threshold, frozen = in_worker("off")
    assert threshold == (700, 10, 10) and frozen == 0


def test_the_pool_extension_passes_the_setting() -> None:
    from scrapy.settings import Settings

    from crawler.speed.pool_extension import ParsePoolExtension

    class _Crawler:
        settings = Settings({"NEWSCRAWL_PARSE_WORKERS": 0, "NEWSCRAWL_GC_THRESHOLD": "4000,12,12"})
        signals = type("Signals", (), {"connect": staticmethod(lambda *a, **k: None)})()

    assert ParsePoolExtension.from_crawler(_Crawler()).pool.gc_threshold == (4000, 12, 12)
