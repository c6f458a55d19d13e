"""``newscrawl prune`` on a really crawled store (the demo site, raw pages kept), on both
backends: old rejects, URL states, past versions and raw pages go, every article stays."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from crawler.cli.prune_cmd import parse_age
from storage.db import connect
from storage.repository import Repository
from tests.helpers.cli import newscrawl

pytestmark = pytest.mark.e2e


def counts(db: str) -> dict[str, int]:
    stats = Repository(connect(db)).stats()
    from sqlalchemy import func, select

    from storage.models import ArticleVersion, RawPageRow, Reject, UrlState

    engine = connect(db)
    with engine.connect() as conn:
        def n(model: type) -> int:
            return int(conn.scalar(select(func.count()).select_from(model)) or 0)

        return {"articles": stats["articles"], "rejects": n(Reject), "states": n(UrlState),
                "versions": n(ArticleVersion), "raw": n(RawPageRow)}


def test_prune_removes_the_past_and_keeps_every_article(db_url: str, demo_server) -> None:
    crawl = newscrawl("crawl", demo_server.base_url + "/", "--db", db_url, "--preset", "fast", "--site", "demo",
                      "--keep-raw", "--log-level", "WARNING")
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    repo = Repository(connect(db_url))
    first = next(iter(repo.iter_records()))
    repo.store_batch([replace(first, body_text=first.body_text + "\nA correction was added later.",
                              content_hash=None, fetched_at=datetime.now().astimezone().isoformat())])
    before = counts(db_url)
    assert all(before[k] > 0 for k in before), before  # something of every kind to prune

    dry = newscrawl("prune", "--db", db_url, "--older-than", "0d", "--dry-run")
    assert dry.returncode == 0 and dry.stderr.startswith("would remove"), dry.stderr
    assert f"{before['rejects']} rejects" in dry.stderr and counts(db_url) == before
    recent = newscrawl("prune", "--db", db_url, "--older-than", "30d")  # everything is younger: nothing goes
    assert recent.returncode == 0 and counts(db_url) == before, recent.stderr

    only = newscrawl("prune", "--db", db_url, "--older-than", "0d", "--only", "rejects,states")
    assert only.returncode == 0, only.stderr
    after_only = counts(db_url)
    assert after_only["rejects"] == after_only["states"] == 0
    assert (after_only["versions"], after_only["raw"]) == (before["versions"], before["raw"])

    everything = newscrawl("prune", "--db", db_url, "--older-than", "0d")
    assert everything.returncode == 0 and "removed" in everything.stderr, everything.stderr
    assert counts(db_url) == {"articles": before["articles"], "rejects": 0, "states": 0, "versions": 0, "raw": 0}
    assert repo.get(first.canonical_url).body_text.endswith("A correction was added later.")


@pytest.mark.parametrize("bad", [["--older-than", "soon"], ["--older-than", "3d", "--only", "articles"], []])
def test_prune_refuses_bad_arguments(bad: list[str], sqlite_url: str) -> None:
    result = newscrawl("prune", "--db", sqlite_url, *bad)
    assert result.returncode == 2 and "Error" in result.stderr and "Traceback" not in result.stderr


def test_ages_and_dates() -> None:
    now = datetime(2026, 12, 5, 12, 0)
    assert parse_age("30d", now) == datetime(2026, 11, 5, 12, 0)
    assert parse_age("12h", now) == datetime(2026, 12, 5, 0, 0)
    assert parse_age("2w", now) == datetime(2026, 11, 21, 12, 0)
    assert parse_age("0d", now) == now
    assert parse_age("2026-01-01", now) == datetime(2026, 1, 1)
