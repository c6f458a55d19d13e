"""The fetch log a re-crawl decides from (``storage.crawlstate.save_fetches``), on real SQLite
and PostgreSQL: new URLs inserted, known ones updated, a URL fetched twice in one batch
ending as it would over two batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.crawlstate import FetchState, save_fetches
from storage.db import connect


def _row(url: str, day: int, status: int, etag: str | None, site: str | None = None, **more: object) -> dict:
    return {"url": url, "fetched_at": datetime(2026, 1, day), "status": status, "etag": etag,
            "last_modified": more.get("last_modified"), "listed_at": more.get("listed_at"), "site": site,
            "canonical_url": more.get("canonical_url")}


def _state(engine, url: str) -> tuple:
    with Session(engine) as session:
        row = session.get(FetchState, url)
        assert row is not None
        return (row.fetched_at, row.status, row.etag, row.last_modified, row.listed_at, row.site, row.canonical_url)


def test_fetches_inserted_then_updated_and_twice_in_a_batch_like_two_batches(db_url: str) -> None:
    engine = connect(db_url)
    try:
        first = _row("http://a.example/1.html", 1, 200, "e1", "a.example", last_modified="Mon",
                     canonical_url="http://a.example/1.html")
        # a later fetch: a 304 without validators, a listing date, no site or canonical given
        later = _row("http://a.example/1.html", 2, 304, None, listed_at=datetime(2025, 12, 31))
        assert save_fetches(engine, [first, later, _row("http://a.example/2.html", 1, 200, None)]) == 3
        in_one_batch = _state(engine, "http://a.example/1.html")
        assert in_one_batch == (datetime(2026, 1, 2), 304, None, None, datetime(2025, 12, 31), "a.example",
                                "http://a.example/1.html")
        assert _state(engine, "http://a.example/2.html")[:3] == (datetime(2026, 1, 1), 200, None)

        save_fetches(engine, [_row("http://a.example/3.html", 1, 200, "e1", "a.example", last_modified="Mon",
                                   canonical_url="http://a.example/3.html")])
        save_fetches(engine, [_row("http://a.example/3.html", 2, 304, None, listed_at=datetime(2025, 12, 31))])
        assert _state(engine, "http://a.example/3.html")[1:] == in_one_batch[1:6] + ("http://a.example/3.html",)
    finally:
        engine.dispose()
