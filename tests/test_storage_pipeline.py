"""The store pipeline inside Scrapy's item flow: bad records become rejects instead of
failing their batch, raw pages are stored with their records, and a data error in one
item loses only that item (counted, so the run fails loudly)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy.exc import IntegrityError

from crawler.parsing import parse_article
from crawler.pipelines import StorePipeline
from storage.db import connect
from storage.repository import RawPage, Repository
from tests.conftest import SEED_URL


def run_pipeline(db_url: str, items: list) -> tuple[StorePipeline, dict]:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DB": db_url, "NEWSCRAWL_BATCH_SIZE": 50})
    pipeline = StorePipeline.from_crawler(crawler)
    spider = SimpleNamespace(name="news", options=SimpleNamespace(site="zixun"), start_urls=[])

    async def flow() -> None:
        pipeline.open_spider(spider)
        for item in items:
            await pipeline.process_item(item, spider)
        await pipeline.close_spider(spider)

    asyncio.run(flow())
    return pipeline, crawler.stats.get_stats()


@pytest.fixture
def seed(seed_page: bytes):
    return parse_article(seed_page, SEED_URL)


def other(seed, n: int, text: str = ""):
    url = f"http://zixun.example.com/post/{n}.html"
    body = seed.body_text + text
    return replace(seed, url=url, canonical_url=url, body_text=body, content_hash=f"{n:064d}")


def test_refused_record_becomes_a_reject_and_raw_pages_are_kept(db_url: str, seed, seed_page: bytes) -> None:
    items = [RawPage(seed.url, seed.canonical_url, seed_page, "utf-8", 200, seed.fetched_at), seed,
             other(seed, 2, "\x00"), other(seed, 3)]
    _, stats = run_pipeline(db_url, items)
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
