"""The store pipeline inside Scrapy's item flow: bad records become rejects instead of
failing their batch, raw pages are stored with their records, and a data error in one
item loses only that item (counted, so the run fails loudly)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from crawler.parsing import parse_article
from crawler.pipelines import StorePipeline
from storage.db import connect
from storage.repository import RawPage, Repository
from tests.conftest import SEED_URL


def run_pipeline(db_url: str, items: list, store_process: bool = False, batch_size: int = 50,
                 between_batches: Callable[[StorePipeline], None] | None = None) -> tuple[StorePipeline, dict]:
    from crawler import settings as project

    # newscrawl's own defaults, as a crawl has them (Scrapy's are the test's, on its own loop).
    values = {k: getattr(project, k) for k in dir(project) if k.startswith("NEWSCRAWL_")}
    values.update(NEWSCRAWL_DB=db_url, NEWSCRAWL_BATCH_SIZE=batch_size, NEWSCRAWL_STORE_PROCESS=store_process)
    crawler = get_crawler(settings_dict=values)
    pipeline = StorePipeline.from_crawler(crawler)
    spider = SimpleNamespace(name="news", options=SimpleNamespace(site="zixun"), start_urls=[])

    async def flow() -> None:
        pipeline.open_spider(spider)
        for n, item in enumerate(items, 1):
            await pipeline.process_item(item, spider)
            if between_batches is not None and n % batch_size == 0:
                between_batches(pipeline)
        await pipeline.close_spider(spider)
        # as Scrapy does after closing the pipelines: the run's end is recorded on this signal
        crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="finished")

    asyncio.run(flow())
    return pipeline, crawler.stats.get_stats()


@pytest.fixture
def seed(seed_page: bytes):
    return parse_article(seed_page, SEED_URL)


def other(seed, n: int, text: str = ""):
    url = f"http://zixun.example.com/post/{n}.html"
    body = seed.body_text + text
    return replace(seed, url=url, canonical_url=url, body_text=body, content_hash=f"{n:064d}")


@pytest.mark.parametrize("store_process", [False, pytest.param(True, marks=pytest.mark.process)],
                         ids=["store-thread", "store-process"])
def test_refused_record_becomes_a_reject_and_raw_pages_are_kept(db_url: str, seed, seed_page: bytes,
                                                                store_process: bool) -> None:
    items = [RawPage(seed.url, seed.canonical_url, seed_page, "utf-8", 200, seed.fetched_at), seed,
             other(seed, 2, "\x00"), other(seed, 3)]
    pipeline, stats = run_pipeline(db_url, items, store_process=store_process)
    assert pipeline.store_process is store_process
    repo = Repository(connect(db_url))
    data = repo.stats()
    assert data["articles"] == 2 and data["raw_pages"] == 1 and data["rejects"] == 1
    assert next(iter(data["reject_reasons"])).startswith("invalid: body_text contains a NUL byte")
    assert stats.get("newscrawl/store_errors") is None and stats["newscrawl/raw_pages"] == 1
    assert data["runs"][0]["status"] == "finished"


def test_a_data_error_loses_only_its_item_and_fails_the_run(db_url: str, seed, monkeypatch) -> None:
    real = Repository._store_record

    def broken(self, session, batch, record, now):  # noqa: ANN001, ANN202
        if record.canonical_url.endswith("/2.html"):
            raise IntegrityError("INSERT", {}, Exception("CHECK constraint failed"))
        return real(self, session, batch, record, now)

    monkeypatch.setattr(Repository, "_store_record", broken)
    _, stats = run_pipeline(db_url, [other(seed, 1), other(seed, 2), other(seed, 3)])
    repo = Repository(connect(db_url))
    assert repo.stats()["articles"] == 2
    assert stats["newscrawl/store_errors"] == 1
    assert repo.stats()["runs"][0]["status"] == "failed"


def _refuse_url_in_database(db_url: str, suffix: str) -> None:
    """A real constraint violation raised by the database itself for one URL: the store
    process has its own interpreter, so a monkeypatch in the test could not reach it."""
    engine = connect(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.url LIKE '%{suffix}' "
                              "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        else:
            conn.execute(text(f"CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.url LIKE '%{suffix}' "
                              "THEN RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; END IF; "
                              "RETURN NEW; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION refuse()"))
    engine.dispose()


@pytest.mark.process
def test_in_a_store_process_a_data_error_loses_only_its_item(db_url: str, seed) -> None:
    _refuse_url_in_database(db_url, "/2.html")
    pipeline, stats = run_pipeline(db_url, [other(seed, 1), other(seed, 2), other(seed, 3)], store_process=True)
    repo = Repository(connect(db_url))
    assert repo.stats()["articles"] == 2
    stored = stats.get("newscrawl/items_new", 0) + stats.get("newscrawl/items_duplicate", 0)
    assert stats["newscrawl/store_errors"] == 1 and stored == 2
    assert repo.stats()["runs"][0]["status"] == "failed"


@pytest.mark.process
def test_when_the_store_process_dies_the_crawl_process_stores_the_rest(db_url: str, seed) -> None:
    """The store process is killed between batches: later batches are written by a thread
    of the crawl process, every record is stored once, and the run says what happened."""
    killed: list[int] = []

    def kill_store_process(pipeline: StorePipeline) -> None:
        if not killed:
            pid = pipeline.writer.started_pid()
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    items = [other(seed, n, f" story {n}") for n in range(1, 31)]
    pipeline, stats = run_pipeline(db_url, items, store_process=True, batch_size=10,
                                   between_batches=kill_store_process)
    assert killed
    repo = Repository(connect(db_url))
    assert repo.stats()["articles"] == 30
    assert stats.get("newscrawl/store_process_lost") is True
    stored = stats.get("newscrawl/items_new", 0) + stats.get("newscrawl/items_duplicate", 0)
    assert stored == 30 and stats.get("newscrawl/store_errors") is None
    assert pipeline.writer is not None and "store process died" in (pipeline.writer.fell_back or "")


@pytest.mark.e2e
def test_a_slow_crawl_stores_its_records_while_it_runs(tmp_path) -> None:
    """A polite crawl that never fills a batch of 100 still stores each record within
    NEWSCRAWL_FLUSH_SECONDS, not only when it ends: a real crawl of slow pages, watched
    from outside through the database."""
    import subprocess
    import sys
    import time

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from storage.models import Article
    from tests.conftest import ROOT
    from tests.helpers.localserver import LocalSite
    from tests.helpers.pages import article, listing

    db = f"sqlite:///{tmp_path / 'slow.db'}"
    with LocalSite() as site:
        site.route("/", listing([f"/news/{n}.html" for n in range(1, 9)]))
        for n in range(1, 9):
            site.route(f"/news/{n}.html", article(n, title=f"Slow crawl story {n} for the flush test"), delay=1.0)
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--db", db, "--profile", "fast",
               "--log-level", "WARNING", "-s", "CONCURRENT_REQUESTS=1", "-s", "NEWSCRAWL_FLUSH_SECONDS=1"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        first_stored_at = None
        deadline = time.monotonic() + 120
        while proc.poll() is None and first_stored_at is None and time.monotonic() < deadline:
            if (tmp_path / "slow.db").exists():
                engine = connect(db, create=False)
                try:
                    with Session(engine) as session:
                        if session.scalar(select(func.count()).select_from(Article)):
                            first_stored_at = time.monotonic()
                except Exception:  # noqa: BLE001 - not migrated yet, or busy: look again
                    pass
                finally:
                    engine.dispose()
            time.sleep(0.2)
        _, err = proc.communicate(timeout=120)
        last_fetch = max(t for path, t, _ in site.log if path.startswith("/news/"))
    assert proc.returncode == 0, err[-2000:]
    assert first_stored_at is not None and first_stored_at < last_fetch, "records appear while the crawl runs"


@pytest.mark.process
def test_a_batch_the_store_process_cannot_take_is_written_by_the_crawl_process(sqlite_url: str, seed) -> None:
    """Anything but a dead process that keeps a batch from crossing to the store process (an
    item that cannot be pickled) has the batch written in the crawl process instead."""
    from crawler.storewriter import StoreExecutor

    class LocalText(str):  # a class local to a function cannot be pickled
        pass

    repo = Repository(connect(sqlite_url))
    run_id = repo.start_run("news", "zixun")
    executor = StoreExecutor(repo, run_id, process=True)
    record = replace(other(seed, 1, " story 1"), title=LocalText(seed.title))
    try:
        result = asyncio.run(executor.write([record]))
    finally:
        executor.close()
    assert result.outcomes == ["new"]
    assert "could not take a batch" in result.errors[0]
    assert executor.fell_back is None  # the process stays for the next batches
    assert repo.stats()["articles"] == 1
