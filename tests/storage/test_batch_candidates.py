"""The batch's near-duplicate candidates, counted in Python from one lookup of every band key
(``storage.repository._Batch``), against the per-article GROUP BY query they replace, on
both backends: the same articles in the same order with the same cut at MAX_CANDIDATES,
and a batch that stores what the same items stored one at a time store."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.parsing.clean import content_hash
from storage import neardup
from storage.db import connect
from storage.models import Article, LshBand
from storage.repository import MAX_CANDIDATES, Repository, _Batch
from tests.conftest import fresh_postgres


def variant(seed, n: int, extra: str = ""):
    """The seed's words with its digits permuted (numbers that disagree: an article of its
    own, yet sharing most band keys with the seed and every other variant)."""
    digits = "".join(random.Random(n).sample("0123456789", 10))
    body = seed.body_text.translate(str.maketrans("0123456789", digits)) + extra
    url = f"http://variants.example.com/{n}{'-copy' if extra else ''}.html"
    return replace(seed, url=url, canonical_url=url, body_text=body, content_hash=content_hash(body))


def grouped(session: Session, keys: list[int]) -> list[int]:
    """The query the batch's candidates replace."""
    hits = func.count(LshBand.article_id)
    return list(session.scalars(select(LshBand.article_id).where(LshBand.key.in_(keys))
                                .group_by(LshBand.article_id).order_by(hits.desc(), LshBand.article_id)
                                .limit(MAX_CANDIDATES)))


def test_candidates_match_the_group_by_query(repo: Repository, seed) -> None:
    stored = [variant(seed, n) for n in range(MAX_CANDIDATES + 15)]
    for start in range(0, len(stored), 20):
        repo.store_batch(stored[start:start + 20])
    probes = [variant(seed, n, "\n转载。") for n in (3, 40, 64)] + [variant(seed, 999)]
    with Session(repo.engine) as session:
        batch = _Batch.prefetch(session, probes)
        for probe in probes:
            keys = [key for _, key in neardup.band_keys(neardup.signature(probe.body_text))]
            expected = grouped(session, keys)
            assert len(expected) == MAX_CANDIDATES  # the cut is exercised
            assert batch.candidates(keys) == expected


def table(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(Article.id, Article.canonical_url, Article.duplicate_of,
                                                          Article.content_hash).order_by(Article.id))]


@contextmanager
def second_database(db_url: str, tmp_path: Path) -> Iterator[str]:
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'one-by-one.db'}"
    else:
        with fresh_postgres("newscrawl_test") as url:
            yield url


def test_a_batch_stores_what_one_item_at_a_time_stores(repo: Repository, db_url: str, tmp_path: Path,
                                                        seed) -> None:
    """Within one batch an article written earlier is a candidate for a later one, ranked by
    its id, as when each is stored in a transaction of its own."""
    items = []
    for n in range(MAX_CANDIDATES + 10):
        items.append(variant(seed, n))
        if n % 6 == 5:  # a copy of an earlier variant of the same batch
            items.append(variant(seed, n - 3, "\n转载。"))
    items.append(replace(items[7], url="http://copies.example.com/7.html", canonical_url="http://copies.example.com/7.html"))
    assert repo.store_batch(items).count("duplicate") >= 10
    with second_database(db_url, tmp_path) as other_url:
        engine = connect(other_url)
        try:
            one_by_one = Repository(engine)
            for item in items:
                one_by_one.store_batch([item])
            assert table(engine) == table(repo.engine)
        finally:
            engine.dispose()
