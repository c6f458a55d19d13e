"""Bad input to the store gets one clear error and never a half-written batch, on real
SQLite and real PostgreSQL: schema violations, NUL bytes, lone surrogates, values the two
backends would treat differently, unreachable databases, transient errors retried."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from sqlalchemy.exc import OperationalError

from crawler.parsing.record import Crumb, Image, Source
from storage.checks import InvalidRecord
from storage.db import StorageError, connect
from storage.repository import RawPage, Rejected, Repository, _transient


def other(seed, n: int):
    url = f"http://zixun.example.com/post/{n}.html"
    return replace(seed, url=url, canonical_url=url)


def _with_original(record, original: dict):
    """A cleaned record (``crawler.parsing.clean.CleanedRecord``) keeps the text it was cleaned from."""
    from crawler.parsing.clean import CleanedRecord

    cleaned = CleanedRecord(**{f.name: getattr(record, f.name) for f in fields(record)})
    cleaned.original = original
    return cleaned


BAD = {
    "nul in body": (lambda r: replace(r, body_text=r.body_text + "\x00tail"), "body_text contains a NUL byte"),
    "nul in a tag": (lambda r: replace(r, tags=["ok", "b\x00d"]), r"tags\[1\] contains a NUL byte"),
    "lone surrogate": (lambda r: replace(r, title="标题\ud800"), "title contains a lone surrogate"),
    "surrogate in image alt": (lambda r: replace(r, images=[Image(src="http://a.example/1.jpg", alt="\udfff")]),
                               r"images\[0\].alt contains a lone surrogate"),
    "nul in a crumb": (lambda r: replace(r, breadcrumb=[Crumb("首页", "http://a.example/"), Crumb("新\x00闻")]),
                       r"breadcrumb\[1\].name contains a NUL byte"),
    "surrogate in the source": (lambda r: replace(r, source=Source(name="新华社", line="来源\udc80")),
                                "source.line contains a lone surrogate"),
    "nul in the original": (lambda r: _with_original(r, {"title": "x", "tags": ["a", "b\x00"]}),
                            r"original.tags\[1\] contains a NUL byte"),
    "empty title": (lambda r: replace(r, title="  "), "title is required"),
    "missing body": (lambda r: replace(r, body_text=None), "body_text is required"),
    "not a URL": (lambda r: replace(r, url="ftp://x/1"), "url is not an absolute http"),
    "wrong type": (lambda r: replace(r, comment_count="many"), "comment_count must be an integer"),
    "beyond 32 bits": (lambda r: replace(r, view_count=2**40), "view_count is out of range"),
    "too long for the column": (lambda r: replace(r, canonical_url="http://a.example/" + "x" * 2100),
                                "canonical_url is longer than 2048"),
    "authors not strings": (lambda r: replace(r, authors=[1, 2]), "authors must be a list of strings"),
}


def test_bad_record_refused_and_nothing_of_the_batch_written(repo: Repository, seed) -> None:
    # One database per backend for every case: each case must leave it empty.
    for case, (make_bad, message) in BAD.items():
        batch = [other(seed, 1), make_bad(other(seed, 2)), other(seed, 3)]
        with pytest.raises(InvalidRecord, match=message) as info:
            repo.store_batch(batch)
        assert "zixun.example.com/post/2.html" in str(info.value) or case == "not a URL", case
        assert "\n" not in str(info.value)
        assert repo.stats()["articles"] == 0 and repo.stats()["url_states"] == {}, case
    assert repo.store_batch([other(seed, 1)]) == ["new"]  # the store is fine afterwards


def test_bad_reject_and_raw_page_refused(repo: Repository, seed) -> None:
    with pytest.raises(InvalidRecord, match="NUL"):
        repo.store_batch([seed, Rejected("http://a.example/x", "reason\x00")])
    with pytest.raises(InvalidRecord, match="needs bytes"):
        repo.store_batch([RawPage(seed.url, seed.canonical_url, "text, not bytes", None, 200, "")])  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match="cannot store a dict"):
        repo.store_batch([seed, {"url": seed.url}])  # type: ignore[list-item]
    assert repo.stats()["articles"] == 0 and repo.stats()["rejects"] == 0


def test_database_error_mid_batch_rolls_everything_back(repo: Repository, seed, monkeypatch) -> None:
    """An error on the third record (after two were flushed) leaves no trace of the batch."""
    real = Repository._store_record

    def failing(self, session, batch, record, now):  # noqa: ANN001, ANN202
        if record.canonical_url.endswith("/3.html"):
            batch.write_pending()  # the first two are written inside the transaction
            raise RuntimeError("disk on fire")
        return real(self, session, batch, record, now)

    monkeypatch.setattr(Repository, "_store_record", failing)
    with pytest.raises(RuntimeError):
        repo.store_batch([other(seed, 1), other(seed, 2), other(seed, 3)])
    stats = repo.stats()
    assert stats["articles"] == 0 and stats["url_states"] == {}


def test_transient_errors_are_retried_with_the_whole_batch(repo: Repository, seed, monkeypatch) -> None:
    import sqlite3

    real = Repository._store_record
    calls = {"n": 0}

    def flaky(self, session, batch, record, now):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:  # the second record of the first attempt
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real(self, session, batch, record, now)

    monkeypatch.setattr(Repository, "_store_record", flaky)
    outcomes = repo.store_batch([other(seed, 1), other(seed, 2)])
    assert outcomes == ["new", "duplicate"] and calls["n"] == 4  # 1 ok + 1 failed, then 2 ok
    assert repo.stats()["articles"] == 2


def test_which_errors_are_transient() -> None:
    import sqlite3

    locked = OperationalError("x", {}, sqlite3.OperationalError("database is locked"))
    full = OperationalError("x", {}, sqlite3.OperationalError("database or disk is full"))
    missing = OperationalError("x", {}, sqlite3.OperationalError("no such table: articles"))
    assert _transient(locked) and not _transient(full) and not _transient(missing)
    from sqlalchemy.exc import IntegrityError

    race = IntegrityError("x", {}, sqlite3.IntegrityError("UNIQUE constraint failed: articles.canonical_url"))
    null = IntegrityError("x", {}, sqlite3.IntegrityError("NOT NULL constraint failed: articles.title"))
    assert _transient(race) and not _transient(null)


@pytest.mark.parametrize("url, message", [
    ("postgresql://nobody@127.0.0.1:1/none", "cannot open database"),
    ("postgresql://postgres@127.0.0.1:5432/no_such_database_here", "cannot open database"),
    ("sqlite:////no/such/folder/x.db", "does not exist"),
    ("mysql+nodriver://x/y", "no driver|not a database URL|cannot open"),
    ("not a url", "not a database URL"),
])
@pytest.mark.postgres
def test_unreachable_database_is_one_clear_line(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as info:
        connect(url)
    assert "\n" not in str(info.value)


@pytest.mark.process
def test_cli_store_error_is_one_line(tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", "--db",
                             "postgresql://nobody@127.0.0.1:1/none"], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "cannot open database" in result.stderr
