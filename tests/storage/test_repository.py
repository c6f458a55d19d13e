"""The store on real SQLite and real PostgreSQL: new, unchanged, updated (versions),
duplicates by content, rejects, URL states and streaming reads."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import inspect

from crawler.parsing.clean import content_hash
from storage.db import StorageError, connect
from storage.report import Selection
from storage.repository import Rejected, Repository


def test_migrations_create_every_table(repo: Repository) -> None:
    tables = set(inspect(repo.engine).get_table_names())
    assert {"articles", "article_versions", "url_state", "crawl_runs", "rejects", "alembic_version"} <= tables


def test_store_new_then_unchanged_then_updated(repo: Repository, seed) -> None:
    run = repo.start_run("news")
    assert repo.store_batch([seed], run) == ["new"]
    assert repo.store_batch([seed], run) == ["unchanged"]
    edited = replace(seed, body_text=seed.body_text + "\n补充:本文已更新。", content_hash="x" * 64)
    assert repo.store_batch([edited], run) == ["updated"]
    stored = repo.get(seed.canonical_url)
    assert stored is not None and stored.body_text.endswith("补充:本文已更新。")
    versions = repo.versions(int(stored.id))
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["record"]["body_text"] == seed.body_text


def test_same_text_under_another_url_is_a_duplicate(repo: Repository, seed) -> None:
    copy = replace(seed, url="http://other.example.net/p/9.html", canonical_url="http://other.example.net/p/9.html",
                   site="other.example.net")
    assert repo.store_batch([seed, copy]) == ["new", "duplicate"]
    original = repo.get(seed.canonical_url)
    duplicate = repo.get(copy.canonical_url)
    assert duplicate.duplicate_of == original.id
    assert [r.canonical_url for r in repo.iter_records()] == [seed.canonical_url]
    assert len(list(repo.iter_records(Selection(duplicates="include")))) == 2


def test_rejects_and_url_states_are_recorded(repo: Repository, seed) -> None:
    run = repo.start_run("news")
    repo.store_batch([seed, Rejected("http://zixun.example.com/about.html", "not an article: no headline")], run)
    repo.finish_run(run, "finished", {"pages": 2, "items_new": 1, "items_rejected": 1})
    stats = repo.stats()
    assert stats["articles"] == 1 and stats["rejects"] == 1
    assert stats["url_states"] == {"stored": 1, "rejected": 1}
    assert stats["runs"][0]["status"] == "finished" and stats["runs"][0]["new"] == 1


def test_a_batch_written_twice_records_its_rejects_once(repo: Repository, seed) -> None:
    """The store process can die after its commit and before it answers; the crawl process
    then writes the same batch again. Nothing may be recorded twice."""
    run = repo.start_run("news")
    about = Rejected("http://zixun.example.com/about.html", "not an article: no headline")
    batch = [seed, about, Rejected("http://zixun.example.com/list.html", "not an article: a listing")]
    assert repo.store_batch(batch, run) == ["new", "rejected", "rejected"]
    assert repo.store_batch(batch, run, replay=True) == ["unchanged", "rejected", "rejected"]
    assert repo.store_batch([about, about], run, replay=True) == ["rejected", "rejected"]  # twice in one batch too
    stats = repo.stats()
    assert stats["articles"] == 1 and stats["rejects"] == 2
    # another run that rejects the same page records it again: rejects are kept per run
    assert repo.store_batch([about], repo.start_run("news")) == ["rejected"]
    assert repo.stats()["rejects"] == 3


def test_text_round_trips_unchanged(repo: Repository, seed) -> None:
    repo.store_batch([seed])
    back = repo.get(seed.canonical_url).to_dict()
    want = seed.to_dict()
    back.pop("id")
    want.pop("id")
    assert back == want


def test_failed_batch_is_not_half_written(repo: Repository, seed) -> None:
    broken = replace(seed, url="http://zixun.example.com/2.html", canonical_url="http://zixun.example.com/2.html",
                     title=None, content_hash=content_hash("other text"))
    with pytest.raises(Exception):  # noqa: B017 - the backend's own integrity error
        repo.store_batch([seed, broken])
    assert repo.get(seed.canonical_url) is None
    assert repo.stats()["url_states"] == {}


def test_unreachable_database_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(StorageError, match="cannot open"):
        connect("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(StorageError, match="does not exist"):
        connect(f"sqlite:///{tmp_path}/missing/dir/x.db")
    with pytest.raises(StorageError, match="not a database URL"):
        connect("not a url")


def test_postgres_compresses_large_values_with_lz4(postgres_url: str, seed) -> None:
    """Migration 0004: article text is compressed with lz4 (pglz cost a third of the database's
    CPU per stored article) and raw pages, already zlib-compressed, are not compressed again."""
    from sqlalchemy import text

    repo = Repository(connect(postgres_url))
    long_body = "\n".join(f"{seed.body_text} 第{i}段。" for i in range(8))  # well past the 2 KB row limit
    repo.store_batch([replace(seed, body_text=long_body, content_hash=None)])
    with repo.engine.connect() as conn:
        if not conn.execute(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                 "WHERE name = 'default_toast_compression'")).scalar():
            pytest.skip("this PostgreSQL is built without lz4")
        assert conn.execute(text("SELECT pg_column_compression(body_text) FROM articles")).scalar() == "lz4"
        assert conn.execute(text("SELECT attstorage FROM pg_attribute WHERE attrelid = 'raw_pages'::regclass "
                                 "AND attname = 'body'")).scalar() == "e"
    assert repo.get(seed.canonical_url).body_text == long_body
    repo.engine.dispose()


def test_stats_counts_paywalled_records_per_site_on_both_backends(db_url: str) -> None:
    from storage.report import stats
    from tests.storage.test_search import make_record

    repo = Repository(connect(db_url))
    repo.store_batch([make_record(1, paywalled=True, published_raw="2025-03-02 08:00"),
                      make_record(2, paywalled=False), make_record(3, paywalled=True), make_record(4),
                      make_record(5, site="other", paywalled=None)])
    data = stats(repo.engine)
    assert {s["site"]: (s["records"], s["paywalled"]) for s in data["sites"]} == {"demo": (4, 2), "other": (1, 0)}
    assert data["paywalled"] == 2
    stored = {r.url.rsplit("/", 1)[-1]: r for r in repo.iter_records(Selection(duplicates="include"))}
    assert stored["1.html"].published_raw == "2025-03-02 08:00"
    assert (stored["1.html"].paywalled, stored["2.html"].paywalled, stored["4.html"].paywalled) == (True, False, None)
    repo.engine.dispose()


def test_record_parts_become_the_json_asdict_makes_of_them() -> None:
    """The store converts a record's parts to JSON shallowly (speed); that is right only while
    every field of a part holds a plain value, which this pins for every part type."""
    import dataclasses
    import typing

    from storage.record import PARTS, Crumb, Image, Source, plain

    for part in PARTS:
        for name, hint in typing.get_type_hints(part).items():
            assert set(typing.get_args(hint) or [hint]) <= {str, type(None)}, (part, name)
    values = [Crumb("新闻", "http://a.example/n/"), Image("http://a.example/1.jpg", "alt", None),
              Source(name="新华社", line="来源：新华社")]
    for value in values:
        assert plain(value) == dataclasses.asdict(value)
    assert plain(values[:2]) == [dataclasses.asdict(v) for v in values[:2]]
    assert plain(["a", "b"]) == ["a", "b"] and plain(None) is None
