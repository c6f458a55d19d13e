"""End to end: real Scrapy crawls (``python -m crawler.cli crawl`` subprocesses) of two local
sites into SQLite and PostgreSQL, checking what the store keeps.

Site A (``localhost``) links one article under five URL variants (plain, tracking
parameters, upper-case host with portal tracking parameters, trailing slash, an AMP copy
with rel=canonical), a second article that is edited between two runs (its sitemap
``lastmod`` moves), and a page too short to be an article. Site B (``127.0.0.1``, another
registered domain) republishes the first article machine-converted to traditional
characters, with a spam title prefix and a promo line, and is crawled with a site profile
whose ``script`` is ``simplified``. Expected: one record for the five variants, the
republication stored with ``duplicate_of`` pointing at it (its page text kept as the
original), two versions of the edited article, a reject with its reason, and exports of
exactly the expected set.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from crawler.parsing.clean import to_traditional
from storage.db import connect
from storage.report import Selection
from storage.repository import Repository
from tests.conftest import fresh_postgres
from tests.helpers.cli import newscrawl
from tests.helpers.localserver import LocalSite

pytestmark = pytest.mark.e2e

CHIPS_TITLE = "扎克伯格押注AI芯片：Meta计划三年内推出五款自研芯片"
CHIPS = [
    "Meta首席执行官扎克伯格周二在公司内部会议上表示，Meta计划在2027年前推出五款自研AI芯片，以减少对外部供应商的依赖。",
    "他说，公司已经向台积电预订了新的产能，第一批芯片将在明年第三季度投入数据中心使用。",
    "据知情人士透露，曾参与谷歌TPU项目的多名工程师已经加入Meta的芯片团队，团队规模在过去一年里扩大到1200人。",
    "分析人士认为，自研芯片可以让Meta每年节省数十亿美元的采购成本，但设计和量产的风险同样不小。",
    "扎克伯格在会上还回应了外界对投入过大的担忧，他表示，公司的现金流足以支撑这项长期计划。",
    "按照路线图，第二代芯片将采用更先进的封装技术，训练大模型的能耗预计降低40%。",
]
METRO_TITLE = "地铁5号线南延段今日开通试运营"
METRO = [
    "记者从市轨道交通集团获悉，地铁5号线南延段今天上午9时开通试运营，全长8.6公里，共设6座车站。",
    "南延段开通后，从城南科技园到火车站的通勤时间将由原来的70分钟缩短到35分钟左右。",
    "试运营初期，南延段高峰时段行车间隔为6分钟，平峰时段为8分钟，首班车6时发出，末班车22时30分发出。",
    "轨道交通集团提醒乘客，新站周边道路仍在施工，请按照站内指引有序进出，注意乘车安全。",
]
METRO_EDIT = "更新：首日客流超过4.2万人次，部分车站在早高峰启动限流措施。"


def article_page(base: str, path: str, title: str, paras: list[str], amp: bool = False) -> str:
    """A news page as a CMS serves it: rel=canonical, OpenGraph, navigation and a footer."""
    body = "".join(f"<p>{p}</p>" for p in paras)
    html_open = '<html amp lang="zh-CN">' if amp else '<html lang="zh-CN">'
    return (f'<!DOCTYPE html>{html_open}<head><meta charset="utf-8"><title>{title} - 测试新闻网</title>'
            f'<link rel="canonical" href="{base}{path}"><meta property="og:type" content="article">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2025-03-04T09:30:00+08:00"></head><body>'
            f'<header><nav><a href="/">首页</a> <a href="/news/">新闻</a></nav></header>'
            f'<article><h1>{title}</h1><div class="info">来源：测试新闻网 作者：李明 发布时间：2025-03-04 09:30</div>'
            f'<div class="content">{body}</div></article>'
            f'<footer><p>版权所有 © 2025 测试新闻网 京ICP备00000000号</p></footer></body></html>')


def machine_traditional(text: str) -> str:
    """What the content farm's converter makes of simplified text (FACTS.md: odd variants)."""
    return to_traditional(text).replace("向", "曏").replace("參與", "蓡與").replace("扎克伯格", "紥尅伯格")


def repost_page(title: str, paras: list[str]) -> str:
    spun = [machine_traditional(p) for p in paras] + ["關注我們的公衆號，每天獲取更多科技資訊。"]
    body = "".join(f"<p>{p}</p>" for p in spun)
    spun_title = machine_traditional(title)
    return (f'<!DOCTYPE html><html lang="zh-TW"><head><meta charset="utf-8"><title>老虎機:{spun_title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{spun_title}">'
            f'</head><body><div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 科技 &gt; 正文</div>'
            f'<h1>老虎機:{spun_title}</h1><div class="meta">2025-03-05 10:00:00</div>'
            f'<div class="post">{body}</div><div class="comment"><h3>发表评论</h3></div></body></html>')


def sitemap(base: str, lastmod: str) -> str:
    return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<url><loc>{base}/news/2025/metro-line</loc><lastmod>{lastmod}</lastmod></url></urlset>')


def cli(*args: str):  # noqa: ANN201 - click's Result
    """A store command in this process (what reads the store needs no fresh interpreter)."""
    from click.testing import CliRunner

    from crawler.cli import main

    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for the whole scenario (the crawls are the slow part)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('dedupe') / 'crawl.db'}"
        return
    with fresh_postgres("newscrawl_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def crawled(module_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db = module_db
    with LocalSite(host="localhost") as a, LocalSite(host="127.0.0.1") as b:
        chips, metro = "/news/2025/ai-chips", "/news/2025/metro-line"
        variants = [chips, chips + "?utm_source=weibo&utm_medium=social&utm_campaign=spring",
                    a.base.replace("localhost", "LOCALHOST") + chips + "?from=timeline&spm=a2c4g.11186623",
                    chips + "/", "/amp" + chips]
        links = [*variants, metro, "/news/2025/brief"]
        items = "".join(f'<li><a href="{v}">新闻</a></li>' for v in links)
        a.route("/", f"<html><body><ul>{items}</ul></body></html>")
        a.route(chips, article_page(a.base, chips, CHIPS_TITLE, CHIPS))
        a.route(chips + "/", article_page(a.base, chips, CHIPS_TITLE, CHIPS))
        a.route("/amp" + chips, article_page(a.base, chips, CHIPS_TITLE, CHIPS, amp=True))
        a.route(metro, article_page(a.base, metro, METRO_TITLE, METRO))
        a.route("/news/2025/brief", article_page(a.base, "/news/2025/brief", "简讯", ["今天天气晴。"]))
        a.route("/sitemap.xml", sitemap(a.base, "2025-03-04T09:30:00Z"), content_type="application/xml")
        b.route("/", '<html><body><a href="/repost/8848.html">热门</a></body></html>')
        b.route("/repost/8848.html", repost_page(CHIPS_TITLE, CHIPS))
        profile = tmp_path_factory.mktemp("profiles") / "farm.toml"
        profile.write_text(f'name = "farm"\nstart_urls = ["{b.base}/"]\nscript = "simplified"\n'
                           '[title]\nprefixes = ["老虎機"]\n', encoding="utf-8")
        common = ("--db", db, "--profile", "fast", "--log-level", "WARNING")
        first_a = newscrawl("crawl", a.url("/"), a.url("/sitemap.xml"), "--site", "testnews", "--keep-raw", *common)
        hits_a = a.hits()
        first_b = newscrawl("crawl", str(profile), *common)
        # Between the runs the metro article is edited and its sitemap entry says so.
        a.route(metro, article_page(a.base, metro, METRO_TITLE, [*METRO, METRO_EDIT]))
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
        a.route("/sitemap.xml", sitemap(a.base, later), content_type="application/xml")
        second_a = newscrawl("crawl", a.url("/"), a.url("/sitemap.xml"), "--site", "testnews", *common)
    yield {"db": db, "a": a.base, "b": b.base, "runs": (first_a, first_b, second_a), "hits_a": hits_a}


def test_every_crawl_exits_zero(crawled: dict) -> None:
    for run in crawled["runs"]:
        assert run.returncode == 0, run.stderr[-3000:]


def test_five_url_variants_are_one_record(crawled: dict) -> None:
    fetched = {path for path in crawled["hits_a"] if "ai-chips" in path}
    assert len(fetched) >= 4, fetched  # Scrapy itself folds the upper-case host into the plain URL
    repo = Repository(connect(crawled["db"]))
    everything = list(repo.iter_records(Selection(duplicates="include")))
    chips = [r for r in everything if "ai-chips" in r.canonical_url]
    assert [r.canonical_url for r in chips] == [crawled["a"] + "/news/2025/ai-chips"]
    assert repo.versions(int(chips[0].id)) == []  # the variants never made a version


def test_republication_points_at_the_original_and_keeps_its_page_text(crawled: dict) -> None:
    repo = Repository(connect(crawled["db"]))
    original = repo.get(crawled["a"] + "/news/2025/ai-chips")
    copy = repo.get(crawled["b"] + "/repost/8848.html")
    assert copy is not None and copy.duplicate_of == original.id
    assert copy.site == "farm" and copy.title_spam_prefix == "老虎機"
    assert copy.title == CHIPS_TITLE  # prefix removed, simplified by the profile's script
    assert "扎克伯格" in copy.body_text and "参与" in copy.body_text and "紥" not in copy.body_text
    assert copy.content_hash != original.content_hash  # caught by the MinHash LSH, not the hash
    kept = repo.original(int(copy.id))
    assert kept["script"] == "simplified" and "紥尅伯格" in kept["body_text"] and "蓡與" in kept["body_text"]


def test_edited_article_has_two_versions(crawled: dict) -> None:
    url = crawled["a"] + "/news/2025/metro-line"
    shown = cli("show", url, "--versions", "--json", "--db", crawled["db"])
    assert shown.exit_code == 0, shown.output
    versions = json.loads(shown.stdout)["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert METRO_EDIT not in versions[0]["record"]["body_text"]
    assert METRO_EDIT in versions[1]["record"]["body_text"]
    text = cli("show", url, "--versions", "--db", crawled["db"])
    assert "2 versions:" in text.stdout and "(+1 / -0 paragraphs)" in text.stdout


def test_rejects_are_recorded_with_reasons(crawled: dict) -> None:
    stats = Repository(connect(crawled["db"])).stats()
    assert stats["rejects"] >= 1
    assert any("too short" in reason for reason in stats["reject_reasons"]), stats["reject_reasons"]
    assert stats["raw_pages"] >= 2
    out = cli("stats", "--db", crawled["db"])
    assert "rejects:" in out.stdout


def test_exports_exactly_the_expected_set(crawled: dict) -> None:
    a, b = crawled["a"], crawled["b"]
    default = cli("export", "--format", "json", "--db", crawled["db"])
    assert default.exit_code == 0, default.output
    records = json.loads(default.stdout)
    assert {(r["canonical_url"], r["title"]) for r in records} == {
        (a + "/news/2025/ai-chips", CHIPS_TITLE), (a + "/news/2025/metro-line", METRO_TITLE)}
    assert all(r["duplicate_of"] is None for r in records)
    assert METRO_EDIT in next(r for r in records if "metro" in r["canonical_url"])["body_text"]
    full = json.loads(cli("export", "--format", "json", "--include-duplicates", "--db", crawled["db"]).stdout)
    assert {r["canonical_url"] for r in full} == {a + "/news/2025/ai-chips", a + "/news/2025/metro-line",
                                                  b + "/repost/8848.html"}
    assert all("original" not in r and "minhash" not in r for r in full)


def test_reparse_updates_from_kept_pages_and_skips_stale_ones(crawled: dict) -> None:
    """Run 1 kept raw pages, run 2 did not: the metro page kept is older than its stored
    version, so reparse must not roll the record back."""
    result = cli("reparse", "--db", crawled["db"], "--site", "testnews")
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated" in result.stderr and "1 stale" in result.stderr, result.stderr
    repo = Repository(connect(crawled["db"]))
    assert METRO_EDIT in repo.get(crawled["a"] + "/news/2025/metro-line").body_text
