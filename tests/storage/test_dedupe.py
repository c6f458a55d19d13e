"""The store's deduplication and history on real SQLite and real PostgreSQL: canonical URL,
versions, exact and near duplicates (MinHash LSH kept in the database, so it survives
restarts and parameter changes), originals kept beside converted text, raw pages."""

from __future__ import annotations

import zlib
from dataclasses import replace

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from crawler.parsing.clean import clean_record, content_hash, to_simplified
from storage import neardup
from storage.db import connect
from storage.models import Article, LshBand, RawPageRow, Reject, StoreMeta
from storage.report import Selection
from storage.repository import RawPage, Rejected, Repository

UNRELATED = "\n".join([
    "市气象台今天上午发布暴雨蓝色预警，预计未来十二小时内我市东部地区将出现强降雨天气。",
    "气象专家提醒，市民出行请关注天气变化，尽量避开低洼路段，驾车注意减速慢行并保持车距。",
    "防汛部门已经启动四级应急响应，各区县组织人员对河道、水库和地下通道开展巡查，确保安全。",
    "教育部门通知，如遇极端天气，中小学校可以根据实际情况调整到校时间，并提前告知家长。",
])


def spun_copy(seed, n: int = 7, prefix: str = "[独家]"):
    """The seed republished elsewhere: simplified script, a paragraph dropped, a promo line
    added, a spam prefix on the title: a different content hash, nearly the same text."""
    blocks = to_simplified(seed.body_text).split("\n")
    body = "\n".join(blocks[:3] + blocks[4:] + ["关注我们的公众号，每天获取更多科技资讯。"])
    url = f"http://copy{n}.example.org/a/{n}.html"
    return replace(seed, url=url, canonical_url=url, site=f"copy{n}.example.org", title=prefix + seed.title,
                   body_text=body, body_html=None, content_hash=content_hash(body))


def other_article(seed, n: int, body: str = UNRELATED):
    url = f"http://weather.example.cn/{n}.html"
    return replace(seed, url=url, canonical_url=url, site="weather.example.cn", title=f"暴雨预警 {n}",
                   body_text=body, body_html=None, content_hash=content_hash(body))


def test_revision_0002_tables_and_columns(repo: Repository) -> None:
    from sqlalchemy import inspect

    inspector = inspect(repo.engine)
    assert {"raw_pages", "lsh_bands", "store_meta"} <= set(inspector.get_table_names())
    assert {"original", "minhash"} <= {c["name"] for c in inspector.get_columns("articles")}
    assert "original" in {c["name"] for c in inspector.get_columns("article_versions")}
    assert {"canonical_url", "raw_page_id"} <= {c["name"] for c in inspector.get_columns("rejects")}


def test_migrations_match_the_models(repo: Repository) -> None:
    """Autogenerate finds nothing to do: the revisions build exactly what models.py says."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import storage.crawlstate  # noqa: F401 - its table is in the same metadata
    from storage.models import Base

    with repo.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_near_duplicate_in_another_script_points_at_the_first_copy(repo: Repository, seed) -> None:
    copy = spun_copy(seed)
    assert copy.content_hash != seed.content_hash
    assert repo.store_batch([seed, other_article(seed, 1)]) == ["new", "new"]
    assert repo.store_batch([copy]) == ["duplicate"]
    original = repo.get(seed.canonical_url)
    assert repo.get(copy.canonical_url).duplicate_of == original.id
    # A copy of the copy still points at the first one, not at the copy.
    again = replace(spun_copy(seed, 8), body_text=copy.body_text + "\n转载请注明出处。")
    assert repo.store_batch([again]) == ["duplicate"]
    assert repo.get(again.canonical_url).duplicate_of == original.id
    exported = {r.canonical_url for r in repo.iter_records()}
    assert exported == {seed.canonical_url, "http://weather.example.cn/1.html"}
    assert len(list(repo.iter_records(Selection(duplicates="include")))) == 4


def test_near_duplicates_found_within_one_batch(repo: Repository, seed) -> None:
    assert repo.store_batch([seed, spun_copy(seed)]) == ["new", "duplicate"]


def test_template_articles_with_other_numbers_are_not_duplicates(repo: Repository, seed) -> None:
    base = "\n".join(line + "（第{n}期，{n}0号）" for line in UNRELATED.split("\n"))
    first = other_article(seed, 1, base.replace("{n}", "1"))
    second = other_article(seed, 2, base.replace("{n}", "2"))
    assert neardup.similarity(neardup.signature(first.body_text), neardup.signature(second.body_text)) > 0.6
    assert repo.store_batch([first, second]) == ["new", "new"]


def test_unrelated_articles_are_not_near_duplicates(seed) -> None:
    a, b = neardup.signature(seed.body_text), neardup.signature(UNRELATED)
    assert neardup.similarity(a, b) < 0.1
    assert neardup.similarity(a, neardup.signature(to_simplified(seed.body_text))) == 1.0


def test_index_survives_a_restart(db_url: str, seed) -> None:
    first = connect(db_url)
    Repository(first).store_batch([seed])
    first.dispose()
    second = connect(db_url)
    try:
        repo = Repository(second)
        assert repo.store_batch([spun_copy(seed)]) == ["duplicate"]
    finally:
        second.dispose()


def test_index_rebuilt_when_parameters_change_or_signatures_are_missing(repo: Repository, seed) -> None:
    repo.store_batch([seed, other_article(seed, 1)])
    with Session(repo.engine) as session, session.begin():
        session.execute(update(Article).values(minhash=None))
        session.execute(LshBand.__table__.delete())
        session.merge(StoreMeta(key="lsh", value="minhash-v0:old"))
    fresh = Repository(repo.engine)
    assert fresh.ensure_neardup_index() == 2
    with Session(repo.engine) as session:
        bands = session.scalar(select(func.count()).select_from(LshBand))
        assert bands == 2 * neardup.params().bands
        assert session.get(StoreMeta, "lsh").value == neardup.params().tag
    assert fresh.store_batch([spun_copy(seed)]) == ["duplicate"]


def test_rows_written_before_revision_0002_are_indexed(tmp_path, seed) -> None:
    """A database created at 0001 with an article in it, then upgraded: the old article is
    signed on first write and a near copy of it is caught."""
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text(
            "INSERT INTO articles (url, canonical_url, site, title, breadcrumb, authors, tags, body_text, images,"
            " content_hash, fetched_at, version, first_seen, last_seen) VALUES (:u, :u, 'zixun', :t, '[]', '[]',"
            " '[]', :b, '[]', :h, '2025-07-17T07:13:09+08:00', 1, '2025-07-17', '2025-07-17')"),
            {"u": seed.canonical_url, "t": seed.title, "b": seed.body_text, "h": seed.content_hash})
    engine.dispose()
    engine = connect(url)
    try:
        repo = Repository(engine)
        assert repo.store_batch([spun_copy(seed)]) == ["duplicate"]
        assert repo.get(spun_copy(seed).canonical_url).duplicate_of == repo.get(seed.canonical_url).id
    finally:
        engine.dispose()


def test_changed_text_makes_a_version_and_moves_the_index(repo: Repository, seed) -> None:
    cleaned = clean_record(seed, "simplified")
    assert repo.store_batch([cleaned]) == ["new"]
    edited = replace(cleaned, body_text=cleaned.body_text + "\n更新：Meta回应称将继续招聘。",
                     content_hash=content_hash(cleaned.body_text + "\n更新：Meta回应称将继续招聘。"))
    assert repo.store_batch([edited]) == ["updated"]
    assert repo.store_batch([edited]) == ["unchanged"]
    stored = repo.get(seed.canonical_url)
    history = repo.versions(int(stored.id), include_current=True)
    assert [v["version"] for v in history] == [1, 2]
    assert "更新" not in history[0]["record"]["body_text"] and "更新" in history[1]["record"]["body_text"]
    # The page's own (traditional) text is kept beside every version, outside the record.
    assert all("紥尅伯格" in v["original"]["body_text"] for v in history)
    assert "original" not in history[0]["record"] and "original" not in stored.to_dict()
    with Session(repo.engine) as session:
        assert session.scalar(select(func.count()).select_from(LshBand)) == neardup.params().bands


def test_original_text_is_kept_and_exports_stay_schema_shaped(repo: Repository, seed) -> None:
    import io
    import json

    import jsonschema

    from storage.export import write_records
    from tests.conftest import FIXTURES

    cleaned = clean_record(seed, "simplified")
    repo.store_batch([cleaned])
    stored = repo.get(seed.canonical_url)
    assert "扎克伯格" in stored.body_text and "紥尅伯格" not in stored.body_text
    assert stored.title_raw == seed.title_raw  # the headline as the page shows it
    original = repo.original(int(stored.id))
    assert original["script"] == "simplified" and original["body_text"] == seed.body_text
    out = io.StringIO()
    write_records(repo.iter_records(), "jsonl", out)
    schema = json.loads((FIXTURES / "record.schema.json").read_text(encoding="utf-8"))
    for line in out.getvalue().splitlines():
        data = json.loads(line)
        jsonschema.validate(data, schema)
        assert set(data) <= set(schema["properties"])


def test_raw_pages_are_compressed_linked_and_replaced(repo: Repository, seed, seed_page: bytes) -> None:
    raw = RawPage(seed.url, seed.canonical_url, seed_page, "utf-8", 200, seed.fetched_at)
    assert repo.store_batch([raw, seed]) == ["raw", "new"]
    with Session(repo.engine) as session:
        row = session.scalars(select(RawPageRow)).one()
        assert len(row.body) < len(seed_page) / 2 and zlib.decompress(row.body) == seed_page
    changed = replace(raw, body=seed_page.replace(b"</body>", b"<!-- v2 --></body>"))
    repo.store_batch([changed])
    pages = list(repo.iter_raw_pages())
    assert len(pages) == 1 and pages[0].page.body == changed.body and pages[0].site == seed.site
    assert not pages[0].stale
    assert list(repo.iter_raw_pages(site="another")) == []
    # A reject of that page points at its raw bytes.
    repo.store_batch([Rejected(seed.url, "invalid: body too short (3 chars)", seed.canonical_url)])
    with Session(repo.engine) as session:
        reject = session.scalars(select(Reject)).one()
        assert reject.raw_page_id == row.id
    stats = repo.stats()
    assert stats["raw_pages"] == 1 and stats["reject_reasons"] == {"invalid: body too short": 1}


def test_revision_0002_downgrades_and_upgrades_again(repo: Repository, seed) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from storage.db import MIGRATIONS, migrate

    repo.store_batch([seed])
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with repo.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert "lsh_bands" not in inspect(repo.engine).get_table_names()
    migrate(repo.engine)
    fresh = Repository(repo.engine)
    assert fresh.store_batch([spun_copy(seed)]) == ["duplicate"]  # old row re-signed after the round trip


def test_copies_within_one_batch_are_found(repo: Repository, seed) -> None:
    """The store writes a batch's new articles together at its end; a copy later in the same
    batch (same text, nearly the same text, or the same URL again) must still see the first."""
    exact = replace(other_article(seed, 2, seed.body_text), title=seed.title)
    near = spun_copy(seed)
    changed = replace(seed, body_text=seed.body_text + "\n补充报道：记者随后又联系了相关部门，对方表示会尽快调查。",
                      content_hash=None)
    assert repo.store_batch([seed, exact, near, changed]) == ["new", "duplicate", "duplicate", "updated"]
    with Session(repo.engine) as session:
        rows = {r.canonical_url: r for r in session.scalars(select(Article))}
        first = rows[seed.canonical_url]
        assert rows[exact.canonical_url].duplicate_of == first.id
        assert rows[near.canonical_url].duplicate_of == first.id
        assert first.version == 2 and first.body_text == changed.body_text
        # every new article is in the near-duplicate index, and every URL has its state
        assert session.scalar(select(func.count(func.distinct(LshBand.article_id)))) == 3
    states = repo.stats()["url_states"]
    assert sum(states.values()) == 3


def test_a_new_text_after_an_update_in_the_same_batch_points_at_the_updated_article(repo: Repository, seed) -> None:
    """An update gives an article a new text; a copy of that new text later in the batch is its duplicate."""
    first = other_article(seed, 1)
    repo.store_batch([first])
    new_body = seed.body_text
    updated = replace(first, body_text=new_body, content_hash=content_hash(new_body))
    copy = replace(other_article(seed, 9, new_body), title=first.title)
    assert repo.store_batch([updated, copy]) == ["updated", "duplicate"]
    with Session(repo.engine) as session:
        rows = {r.canonical_url: r for r in session.scalars(select(Article))}
        assert rows[copy.canonical_url].duplicate_of == rows[first.canonical_url].id
