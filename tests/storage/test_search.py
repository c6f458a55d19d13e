"""Full-text search: the indexed text (CJK bigrams), query building, and search over real
SQLite (FTS5 index beside the store) and PostgreSQL (tsvectors built by search) stores:
2-character Chinese words, longer words, phrases, English, filters, updates and deletes."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, text

from crawler.cli import main
from crawler.parsing.page import Page
from crawler.parsing.record import Record
from storage.db import connect
from storage.models import Article
from storage.report import Selection
from storage.repository import Repository
from storage.search import PgIndex, SearchError, SqliteIndex, fts5_query, grams, query_phrases, search, snippet
from tests.conftest import FIXTURES

WORDS_ZH = ("经济 市场 政府 城市 学校 医院 科技 公司 交通 地铁 银行 旅游 农业 环境 能源 电影 音乐 体育 足球 "
            "比赛 教育 文化 历史 工程 网络 手机 汽车 房价 工资 消费 投资 法律 法院 警方 消防 海关 机场 铁路 "
            "港口 物流").split()
WORDS_EN = ("market city school hospital company traffic metro bank travel farm energy movie music sport football "
            "match education culture history network phone car price salary invest court police port").split()




def body(seed: int, extra: str = "", lang: str = "zh") -> str:
    """A paragraph of random words: different seeds give texts no near-duplicate check pairs up."""
    rng = random.Random(seed)
    pool = WORDS_ZH if lang == "zh" else WORDS_EN
    joiner = "" if lang == "zh" else " "
    lines = [joiner.join(rng.choice(pool) for _ in range(30)) + ("。" if lang == "zh" else ".") for _ in range(4)]
    if extra:
        lines.insert(1, extra)
    return "\n".join(lines)


def make_record(n: int, *, site: str = "demo", title: str | None = None, extra: str = "", lang: str = "zh",
                published: str | None = "2025-03-{day:02d}T08:00:00+08:00", category: str | None = "news",
                **fields) -> Record:
    url = f"http://{site}.example.com/news/{n}.html"
    return Record(url=url, canonical_url=url, site=site, title=title or f"第{n}条新闻 story {n}",
                  body_text=body(n, extra, lang), fetched_at="2025-03-28T00:00:00+00:00",
                  published_at=published.format(day=n % 28 + 1) if published else None, category=category,
                  language=lang, summary=fields.pop("summary", None), **fields)


def make_store(url: str) -> Repository:
    """Four articles: 天气 in one title, 天气预报 in one body, an English one, another site."""
    repo = Repository(connect(url))
    repo.store_batch([
        make_record(1, title="明天天气晴朗", extra="气温将下降五度。"),
        make_record(2, extra="今天的天气预报说明天会下雨。"),
        make_record(3, lang="en", title="Climate change report", extra="The weather service says rain is coming."),
        make_record(4, site="other", category="sport", extra="预报员说天会晴。"),
    ])
    return repo


def ids(hits) -> list[int]:
    return sorted(h.id for h in hits)


def test_grams_turn_chinese_runs_into_bigrams_then_characters() -> None:
    assert grams("天气预报") == " 天气 气预 预报 天 气 预 报 "
    assert grams("买iPhone15手机，天") == " 买 iPhone15 手机 手 机 ， 天 "
    assert grams("plain English") == "plain English"
    assert grams(None) == ""


def test_queries_are_phrases_and_quoted_safely() -> None:
    assert query_phrases("天气") == ["天气"]
    assert query_phrases("天气预报 rain") == ["天气 气预 预报", "rain"]
    assert query_phrases('"climate change" 天') == ["climate change", "天"]
    assert query_phrases("iPhone手机") == ["iPhone", "手机"]
    assert fts5_query('a" OR b NEAR(') == '"a""" AND "OR" AND "b" AND "NEAR("'  # operators are just words
    for empty in ("", "   ", "，。！", '""'):
        with pytest.raises(SearchError):
            query_phrases(empty)


def test_snippet_shows_the_hit() -> None:
    assert "天气预报" in snippet("开头。" * 40 + "今天的天气预报说明天会下雨。", "天气预报", width=30)


@pytest.mark.parametrize("query, expected", [
    ("天气", [1, 2]),             # a 2-character word: title of 1, body of 2
    ("天气预报", [2]),             # four characters in a row
    ("预报天气", []),              # the same characters in another order do not match
    ("气温", [1]),
    ("天", [1, 2, 4]),            # one character
    ("明天 下雨", [2]),            # every word must match
    ("rain", [3]),
    ("RAIN Coming", [3]),
    ('"rain is coming"', [3]),
    ('"coming rain"', []),
    ("nothingmatches", []),
])
def test_search_on_both_backends(db_url: str, query: str, expected: list[int]) -> None:
    repo = make_store(db_url)
    assert ids(search(repo.engine, query, Selection())) == expected
    repo.engine.dispose()


def test_search_ranks_title_hits_first_and_applies_filters(db_url: str) -> None:
    repo = make_store(db_url)
    hits = search(repo.engine, "天气", Selection())
    assert hits[0].id == 1  # in the title
    assert ids(search(repo.engine, "天", Selection(site="other"))) == [4]
    assert ids(search(repo.engine, "天", Selection(category="news", limit=1))) in ([1], [2])
    from datetime import datetime

    assert ids(search(repo.engine, "天", Selection(since=datetime(2025, 3, 4)))) == [4]
    repo.engine.dispose()


def test_index_follows_updates_and_deletes(db_url: str) -> None:
    repo = make_store(db_url)
    assert ids(search(repo.engine, "天气预报", Selection())) == [2]
    changed = replace(make_record(2, extra="今天的空气质量很好。"), fetched_at="2025-03-29T00:00:00+00:00")
    assert repo.store_batch([changed]) == ["updated"]
    assert ids(search(repo.engine, "天气预报", Selection())) == []
    assert ids(search(repo.engine, "空气质量", Selection())) == [2]
    with repo.engine.begin() as conn:
        conn.execute(delete(Article).where(Article.id == 1))
    assert ids(search(repo.engine, "天气", Selection())) == []
    assert repo.store_batch([make_record(9, title="天气突变")]) == ["new"]
    assert ids(search(repo.engine, "天气", Selection())) == [5 if db_url.startswith("sqlite") else 5]
    repo.engine.dispose()


def test_duplicates_follow_the_selection(db_url: str) -> None:
    repo = make_store(db_url)
    copy = replace(make_record(2, extra="今天的天气预报说明天会下雨。"), url="http://copy.example.com/2.html",
                   canonical_url="http://copy.example.com/2.html", site="copy")
    assert repo.store_batch([copy]) == ["duplicate"]
    assert ids(search(repo.engine, "天气预报", Selection())) == [2]
    assert ids(search(repo.engine, "天气预报", Selection(duplicates="include"))) == [2, 5]
    assert ids(search(repo.engine, "天气预报", Selection(duplicates="only"))) == [5]
    repo.engine.dispose()


def test_sqlite_index_lives_beside_the_store_and_rebuilds(sqlite_url: str) -> None:
    repo = make_store(sqlite_url)
    index = SqliteIndex(repo.engine)
    assert index.sync() == 4 and index.sync() == 0
    assert index.path.name == "store.db.search" and index.path.exists()
    assert index.rebuild() == 4
    assert ids(search(repo.engine, "天气", Selection())) == [1, 2]
    with repo.engine.connect() as conn:  # nothing of the index is inside the store
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert not any("fts" in name for name in names)


def test_postgres_index_is_built_by_search(postgres_url: str) -> None:
    """Writes only queue the articles (migration s003); a search builds their documents, once."""
    repo = make_store(postgres_url)
    count = "SELECT count(*) FROM newscrawl_search.{}"
    with repo.engine.connect() as conn:
        assert conn.execute(text(count.format("docs"))).scalar() == 0
        assert conn.execute(text(count.format("pending"))).scalar() == 4
    assert ids(search(repo.engine, "天气", Selection())) == [1, 2]
    with repo.engine.connect() as conn:
        assert conn.execute(text(count.format("docs"))).scalar() == 4
        assert conn.execute(text(count.format("pending"))).scalar() == 0
        assert conn.execute(text("SELECT newscrawl_search.grams('买iPhone15手机，天')")).scalar() == \
            grams("买iPhone15手机，天")
    assert PgIndex(repo.engine).sync() == 0
    with repo.engine.begin() as conn:  # an edit that leaves the text alone queues nothing
        conn.execute(text("UPDATE articles SET category = 'other' WHERE id = 1"))
        assert conn.execute(text(count.format("pending"))).scalar() == 0
        conn.execute(text("UPDATE articles SET body_text = body_text || '天气' WHERE id = 3"))
        assert conn.execute(text(count.format("pending"))).scalar() == 1
    assert 3 in ids(search(repo.engine, "天气", Selection(duplicates="include")))
    assert PgIndex(repo.engine).rebuild() == 4
    with repo.engine.begin() as conn:  # deleting an article deletes its document and queue entry
        conn.execute(text("UPDATE articles SET title = '天气' WHERE id = 4"))
        conn.execute(text("DELETE FROM articles WHERE id = 4"))
        assert conn.execute(text(count.format("docs"))).scalar() == 3
        assert conn.execute(text(count.format("pending"))).scalar() == 0
    repo.engine.dispose()


def test_postgres_backlog_sync_reports_progress_and_shares_work(postgres_url: str) -> None:
    """A backlog is indexed in batches with progress; two syncs at once never index an
    article twice and together index every one."""
    import threading

    repo = Repository(connect(postgres_url))
    repo.store_batch([make_record(n, title=f"天气 {n}", lang="en") for n in range(10, 70)])
    seen: list[int] = []
    assert PgIndex(repo.engine).sync(batch=25, progress=seen.append) == 60
    assert seen == [25, 50, 60]
    PgIndex(repo.engine).rebuild()
    with repo.engine.begin() as conn:
        conn.execute(text("INSERT INTO newscrawl_search.pending SELECT id FROM articles"))
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(PgIndex(repo.engine).sync(batch=5))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 60
    assert len(ids(search(repo.engine, "天气", Selection(limit=None)))) == 60
    repo.engine.dispose()


def test_postgres_grams_equal_the_python_grams_on_real_pages(postgres_url: str) -> None:
    """The SQL twin (migration s002) gives exactly what storage.search.grams gives, on real
    Chinese and English news text and on edge cases (lone characters, runs at either end,
    supplementary-plane CJK, newlines, empty text)."""
    pages = sorted((FIXTURES / "pages").rglob("*.html"))[:30]
    texts = [Page.from_bytes(p.read_bytes(), "http://example.com/").tree.text_content()[:4000] for p in pages]
    texts += ["天", "天a", "a天", "天气\n预报 ok", "𠀀𠀁x𠀂", "，。", "", "only ascii words"]
    repo = make_store(postgres_url)
    with repo.engine.connect() as conn:
        for value in texts:
            assert conn.execute(text("SELECT newscrawl_search.grams(:v)"), {"v": value}).scalar() == grams(value)
        assert conn.execute(text("SELECT newscrawl_search.grams(NULL)")).scalar() == ""
    repo.engine.dispose()


def test_search_command(sqlite_url: str) -> None:
    make_store(sqlite_url).engine.dispose()
    runner = CliRunner()
    piped = runner.invoke(main, ["search", "天气", "--db", sqlite_url])
    assert piped.exit_code == 0, piped.output
    lines = [json.loads(line) for line in piped.output.splitlines()]
    assert [r["id"] for r in lines] == [1, 2] and "天气" in lines[1]["snippet"] and "score" in lines[0]
    # a table is cut to the terminal's width (COLUMNS, else 100): pin it
    table = runner.invoke(main, ["search", "天气预报", "--table", "--db", sqlite_url],
                          env={"COLUMNS": "120"})
    assert table.exit_code == 0 and "第2条新闻" in table.output and "天气预报" in table.output
    as_csv = runner.invoke(main, ["search", "rain", "--csv", "--db", sqlite_url])
    assert as_csv.output.splitlines()[0].startswith("url,") and "Climate change report" in as_csv.output
    empty = runner.invoke(main, ["search", "，", "--db", sqlite_url])
    assert empty.exit_code != 0 and "nothing to search for" in empty.output


def test_index_command_catches_up_then_has_nothing_to_do(db_url: str) -> None:
    """``newscrawl index`` indexes what crawls queued (both backends); run again it finds
    nothing new, and ``--rebuild`` indexes everything again; searches then match."""
    make_store(db_url).engine.dispose()
    runner = CliRunner()
    first = runner.invoke(main, ["index", "--db", db_url])
    assert first.exit_code == 0, first.output
    assert "search index: 4 articles indexed" in first.output
    again = runner.invoke(main, ["index", "--db", db_url])
    assert "search index: 0 articles indexed" in again.output
    rebuilt = runner.invoke(main, ["index", "--rebuild", "--db", db_url])
    assert "search index: 4 articles indexed" in rebuilt.output
    engine = connect(db_url)
    assert ids(search(engine, "天气", Selection(), sync=False)) == [1, 2]
    engine.dispose()


def test_postgres_search_by_a_read_only_role_searches_what_is_indexed(postgres_url: str, caplog) -> None:
    """A role that may only read cannot index the queue: its search still answers from what
    is indexed and says that the index is behind."""
    import logging
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    repo = make_store(postgres_url)
    assert ids(search(repo.engine, "天气", Selection())) == [1, 2]  # indexed by a writer
    repo.store_batch([make_record(7, title="天气 again", lang="en")])  # queued, not indexed
    role = f"nc_reader_{uuid.uuid4().hex[:6]}"
    with repo.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public, newscrawl_search TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public, newscrawl_search TO {role}"))
    reader = create_engine(make_url(repo.engine.url).set(username=role))
    try:
        with caplog.at_level(logging.WARNING, logger="storage.search"):
            assert ids(search(reader, "天气", Selection())) == [1, 2]
        assert "search index not brought up to date" in caplog.text
    finally:
        reader.dispose()
        with repo.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        repo.engine.dispose()
    assert len(ids(search(connect(postgres_url), "天气", Selection()))) == 3  # a writer catches up


def test_sqlite_backlog_sync_reports_progress(sqlite_url: str) -> None:
    """The SQLite index reports a backlog's progress batch by batch, like the PostgreSQL one."""
    repo = Repository(connect(sqlite_url))
    repo.store_batch([make_record(n, title=f"天气 {n}", lang="en") for n in range(10, 70)])
    seen: list[int] = []
    assert SqliteIndex(repo.engine).sync(batch=25, progress=seen.append) == 60
    assert seen == [25, 50, 60]
    repo.engine.dispose()
