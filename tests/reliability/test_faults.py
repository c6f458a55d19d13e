"""The promise: every URL ends in exactly one recorded state, through crashes, database
outages, a full disk and bad content. Each case runs real crawls against servers on
127.0.0.1 and checks the database afterwards; every wait is bounded."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import connect
from storage.models import Article, UrlState
from tests.conftest import IN_CI, ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def crawl_cmd(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--profile", "fast", "--log-level", "WARNING",
            "--site", "test", *args]


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}


def site_of(site: LocalSite, n: int, delay: float = 0.0) -> set[str]:
    per_page = 25
    pages = (n + per_page - 1) // per_page
    site.route("/", listing([f"/list/{p}" for p in range(1, pages + 1)]))
    for p in range(1, pages + 1):
        site.route(f"/list/{p}", listing([f"/news/{i}.html" for i in range((p - 1) * per_page + 1,
                                                                            min(n, p * per_page) + 1)]))
    for i in range(1, n + 1):
        site.route(f"/news/{i}.html", article(i, title=f"Reliability story {i} for the crash test"), delay=delay)
    return {site.url(f"/news/{i}.html") for i in range(1, n + 1)}


def articles(db: str) -> list[str]:
    with Session(connect(db)) as session:
        return list(session.scalars(select(Article.canonical_url)))


def states(db: str) -> dict[str, tuple[str, str | None]]:
    with Session(connect(db)) as session:
        return {r.url: (r.state, r.reason) for r in session.scalars(select(UrlState))}


def rows_in(path: Path, table: str) -> int:
    """How many rows a table of a crawl's SQLite file holds, read while the crawl runs (0
    before the file exists or is migrated)."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def runs_started(path: Path) -> int:
    """How many crawl runs the database has recorded."""
    return rows_in(path, "crawl_runs")


def test_sigkill_at_random_points_then_resume(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    rng = random.Random(20261128)
    with LocalSite() as site:
        # Slow enough articles that ten runs of at most ~3 s cannot finish the site on a fast
        # day (32 requests in flight / 0.5 s = 64 pages/s at most): every kill lands mid-crawl.
        expected = site_of(site, 1500, delay=0.5)
        kills = 0
        for _ in range(10):
            proc = subprocess.Popen(crawl_cmd(db, site.url("/"), "--resume"), cwd=ROOT, env=env(tmp_path),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            # Kill at a random point after the run has started (its crawl_runs row exists): how long
            # start-up takes depends on the machine's load, so a fixed delay can miss every run.
            started = runs_started(tmp_path / "crash.db")
            deadline = time.monotonic() + 60
            while runs_started(tmp_path / "crash.db") == started and proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 3.0))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its parse workers, like a power cut
                kills += 1
            proc.wait(timeout=30)
        for _ in range(3):
            final = subprocess.run(crawl_cmd(db, site.url("/"), "--resume"), cwd=ROOT, env=env(tmp_path),
                                   capture_output=True, text=True, timeout=240)
            if final.returncode == 0:
                break
    assert kills >= 7, "too few kills landed mid-crawl to test anything"
    assert final.returncode == 0, final.stderr[-2000:]
    stored = articles(db)
    assert len(stored) == len(set(stored)), "no duplicates"
    assert set(stored) == expected
    with sqlite3.connect(tmp_path / "crash.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = [row[0] for row in conn.execute("SELECT status FROM crawl_runs")]
    assert "crashed" in statuses and statuses[-1] == "finished"


def test_sqlite_locked_for_30_seconds(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    db = f"sqlite:///{path}"
    connect(db).dispose()
    with LocalSite() as site:
        expected = site_of(site, 60, delay=0.15)
        proc = subprocess.Popen(crawl_cmd(db, site.url("/")), cwd=ROOT, env=env(tmp_path),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(p.startswith("/news/") for p in site.hits()) and time.monotonic() < deadline:
            time.sleep(0.1)
        holder = sqlite3.connect(path, timeout=60, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        time.sleep(30)
        holder.execute("ROLLBACK")
        holder.close()
        _, err = proc.communicate(timeout=240)
    assert time.monotonic() - locked_at >= 30
    assert proc.returncode == 0, err[-2000:]
    assert set(articles(db)) == expected


@pytest.fixture
def pg_restartable():
    cluster = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
    if not cluster or os.geteuid() != 0:
        if IN_CI:
            pytest.fail("the PostgreSQL outage test needs root and pg_ctlcluster in CI")
        pytest.skip("needs root and a local PostgreSQL cluster to stop and start")
    version = cluster[0].parent.name
    yield ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], capture_output=True,
                   timeout=60)


@pytest.mark.serial  # every other PostgreSQL test would fail while the server is down
def test_postgresql_stopped_and_started_mid_crawl(tmp_path: Path, postgres_url: str, pg_restartable) -> None:
    with LocalSite() as site:
        expected = site_of(site, 60, delay=0.15)
        proc = subprocess.Popen(crawl_cmd(postgres_url, site.url("/")), cwd=ROOT, env=env(tmp_path),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len([p for p in site.hits() if p.startswith("/news/")]) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        subprocess.run([*pg_restartable, "stop", "-m", "fast"], check=True, capture_output=True, timeout=60)
        time.sleep(6)
        subprocess.run([*pg_restartable, "start"], check=True, capture_output=True, timeout=60)
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert set(articles(postgres_url)) == expected


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = Path(tempfile.mkdtemp(prefix="newscrawl-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a small tmpfs in CI: {done.stderr.decode()[:200]}")
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_disk_full_stops_the_run_without_lying(tmp_path: Path, small_disk: Path) -> None:
    path = small_disk / "full.db"
    db = f"sqlite:///{path}"
    with LocalSite() as site:
        site_of(site, 300)
        result = subprocess.run(crawl_cmd(db, site.url("/")), cwd=ROOT, env=env(tmp_path), capture_output=True,
                                text=True, timeout=240)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "disk is full" in result.stderr.lower()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    reported = int(result.stderr.split(" new,")[0].rsplit(" ", 1)[1])
    assert 0 < rows < 300 and reported == rows, (reported, rows)


def test_bad_content_ends_in_recorded_states(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bad.db'}"
    deep = "<html><head><title>Deep</title></head><body><h1>A deeply nested page</h1>" + "<div>" * 5000 + \
        "<p>lost</p>" + "</div>" * 5000 + "</body></html>"
    gbk_as_utf8 = ("<html><head><meta charset='utf-8'><title>乱码测试页面</title></head><body><h1>乱码测试页面标题</h1>"
                   + "<p>这是一段用国标码编写却声称是统一码的新闻正文，用来检验解码。</p>" * 8
                   + "<p>发布时间：2024-05-01 10:00</p></body></html>").encode("gbk")
    with LocalSite() as site:
        site.route("/", listing(["/deep.html", "/nul.html", "/empty.html", "/gbk.html", "/news/1.html"]))
        site.route("/deep.html", deep)
        site.route("/nul.html", article(7).replace("<p>", "<p>\x00", 3))
        site.route("/empty.html", "<html><body><ul><li><a href='/'>home</a></li></ul></body></html>")
        site.route("/gbk.html", gbk_as_utf8)
        site.route("/news/1.html", article(1))
        result = subprocess.run(crawl_cmd(db, site.url("/")), cwd=ROOT, env=env(tmp_path), capture_output=True,
                                text=True, timeout=120)
        urls = {name: site.url(name) for name in ("/deep.html", "/nul.html", "/empty.html", "/gbk.html")}
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = states(db)
    assert recorded[urls["/deep.html"]][0] == "rejected" and "nested" in recorded[urls["/deep.html"]][1]
    assert recorded[urls["/empty.html"]][0] == "rejected" and recorded[urls["/empty.html"]][1]
    assert recorded[urls["/nul.html"]][0] == "stored"  # NUL bytes removed, the article kept
    assert recorded[urls["/gbk.html"]][0] == "stored"  # mislabelled GBK decoded right
    with sqlite3.connect(tmp_path / "bad.db") as conn:
        bodies = [row[0] for row in conn.execute("SELECT body_text FROM articles")]
    assert not any("\x00" in b or "\ufffd" in b for b in bodies)
    assert any("国标码" in b for b in bodies)


def test_every_discovered_url_has_one_state_and_counts_add_up(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'states.db'}"
    with LocalSite() as site:
        site.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        site.route("/", listing(["/news/1.html", "/news/2.html", "/gone.html", "/private/x.html", "/about.html"]))
        for n in (1, 2):
            site.route(f"/news/{n}.html", article(n))
        site.route("/gone.html", "gone", status=410, content_type="text/plain")
        site.route("/about.html", "<html><body><h1>About us</h1><p>We are a small test site.</p></body></html>")
        result = subprocess.run(crawl_cmd(db, site.url("/")), cwd=ROOT, env=env(tmp_path), capture_output=True,
                                text=True, timeout=120)
        runs = subprocess.run([sys.executable, "-m", "crawler.cli", "runs", "--db", db, "--json"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = states(db)
    expected = {"/": "rejected", "/news/1.html": "stored", "/news/2.html": "stored", "/gone.html": "failed",
                "/private/x.html": "skipped", "/about.html": "rejected"}
    assert {"/" + u.split("/", 3)[3]: s for u, (s, _) in recorded.items()} == expected
    import json

    run = json.loads(runs.stdout.splitlines()[0])
    per_state = sum(run[k] for k in ("items_new", "items_updated", "items_unchanged", "items_duplicate",
                                      "items_rejected", "items_failed", "items_skipped"))
    assert per_state == len(expected)


def test_killed_export_leaves_old_file_or_complete_new_one(tmp_path: Path, seed_page: bytes) -> None:
    import json
    from dataclasses import replace

    from crawler.parsing import parse_article
    from storage.repository import Repository
    from tests.conftest import SEED_URL

    db = f"sqlite:///{tmp_path / 'export.db'}"
    seed = parse_article(seed_page, SEED_URL)
    repo = Repository(connect(db))
    rng = random.Random(7)
    words = [f"word{n}" for n in range(5000)]
    for start in range(0, 3000, 500):
        repo.store_batch([replace(seed, url=f"http://e.example/{i}", canonical_url=f"http://e.example/{i}",
                                  body_text=" ".join(rng.choices(words, k=400)), content_hash=f"{i:064d}")
                          for i in range(start, start + 500)])
    target = tmp_path / "out.json"
    target.write_text("[]\n", encoding="utf-8")
    outcomes = set()
    for delay in (0.3, 0.8, 1.5, 60):
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "export", "--db", db, "--format", "json",
                                 "--include-duplicates", "--out", str(target)], cwd=ROOT, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        data = json.loads(target.read_text(encoding="utf-8"))  # never a half-written file
        assert len(data) in (0, 3000)
        outcomes.add(len(data))
    assert 3000 in outcomes


def _spawned_children(pid: int) -> list[int]:
    """The crawl's spawned helper processes (parse workers and the store process)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            try:
                if b"spawn_main" in Path(f"/proc/{kid}/cmdline").read_bytes():
                    found.append(int(kid))
            except OSError:
                pass
    return found


@pytest.mark.timeout(240)
def test_helper_processes_killed_mid_crawl_lose_nothing(tmp_path: Path) -> None:
    """SIGKILL every parse worker and the store process while pages are being parsed: the
    crawl replaces the workers, parses the pages they held once more, stores from a thread
    (the batches the store process held are written again), and every URL of the site ends
    in exactly one state: every article stored, every listing page rejected as no article.
    Under load the workers were often parsing a listing page when killed: its links died
    with them and its articles had no state at all."""
    db_path = tmp_path / "killed.db"
    db = f"sqlite:///{db_path}"
    with LocalSite() as site:
        urls = site_of(site, 60, delay=0.3)  # ~5 s of crawling at 4 requests at a time
        proc = subprocess.Popen(crawl_cmd(db, site.url("/"), "-s", "CONCURRENT_REQUESTS=4", "-s",
                                          "NEWSCRAWL_BATCH_SIZE=5"), cwd=ROOT,
                                env=env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        killed: list[int] = []
        deadline = time.monotonic() + 120
        while proc.poll() is None and not killed and time.monotonic() < deadline:
            # helpers up and a first batch stored: the crawl is well under way
            helpers = _spawned_children(proc.pid)
            if len(helpers) >= 3 and rows_in(db_path, "articles") > 0:
                for pid in helpers:
                    os.kill(pid, signal.SIGKILL)
                killed = helpers
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=180)
        pages = {site.url("/"), *(site.url(f"/list/{p}") for p in range(1, 4))}
    assert killed, "the crawl ended before its helpers could be killed"
    assert proc.returncode == 0, stderr[-3000:]
    recorded = states(db)
    assert not urls - recorded.keys(), sorted(urls - recorded.keys())
    assert {recorded[url][0] for url in urls} == {"stored"}  # a killed worker's page was parsed again
    assert set(articles(db)) == urls
    assert all(recorded[page][0] == "rejected" and (recorded[page][1] or "").startswith("not an article")
               for page in pages), {page: recorded.get(page) for page in pages}
    assert "starting another" in stderr



def slow_listing_site(site: LocalSite) -> set[str]:
    """A listing page that takes seconds to parse (~3 MB), linking to 20 articles."""
    filler = "".join(f"<div><p>Older item {i} of the long archive listing, kept for the record.</p></div>"
                     for i in range(40_000))
    site.route("/", listing(["/list/1"]))
    site.route("/list/1", listing([f"/news/{i}.html" for i in range(1, 21)]).replace("</ul>", "</ul>" + filler))
    for i in range(1, 21):
        site.route(f"/news/{i}.html", article(i, title=f"Relisted story {i} after the worker died"))
    return {site.url(f"/news/{i}.html") for i in range(1, 21)}


@pytest.mark.timeout(180)
def test_listing_page_whose_parse_worker_is_killed_is_parsed_again(tmp_path: Path) -> None:
    """SIGKILL the parse worker while it parses a listing page (a worker killed from outside:
    the OOM killer, an operator): its replacement parses the page once more, so the articles
    it links to are found and stored. They used to be never discovered, with no state at all:
    the page's links died with the worker (what made the test above fail under load)."""
    db = f"sqlite:///{tmp_path / 'relisted.db'}"
    with LocalSite() as site:
        urls = slow_listing_site(site)
        proc = subprocess.Popen(crawl_cmd(db, site.url("/"), "-s", "NEWSCRAWL_PARSE_WORKERS=1",
                                          "-s", "NEWSCRAWL_STORE_PROCESS=false"),  # spawned children: the worker
                                cwd=ROOT, env=env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        killed: list[int] = []
        deadline = time.monotonic() + 120
        while proc.poll() is None and not killed and time.monotonic() < deadline:
            if site.hits().get("/list/1"):
                time.sleep(0.3)  # the response reaches the worker, which is parsing it now
                killed = _spawned_children(proc.pid)
                for pid in killed:
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        _, stderr = proc.communicate(timeout=150)
        listing_url = site.url("/list/1")
    assert killed, "the crawl ended before its parse worker could be killed"
    assert proc.returncode == 0, stderr[-3000:]
    assert "starting another" in stderr and "parsing it once more" in stderr, stderr[-3000:]
    recorded = states(db)
    assert set(articles(db)) == urls
    assert {recorded[url][0] for url in urls} == {"stored"}
    assert recorded[listing_url][0] == "rejected" and recorded[listing_url][1].startswith("not an article")


@pytest.mark.timeout(180)
def test_a_page_past_the_parse_timeout_is_not_parsed_again(tmp_path: Path) -> None:
    """The other side of the second try: a page whose worker was killed for running past
    NEWSCRAWL_PARSE_TIMEOUT would take as long again, so it is recorded as not parsed at once."""
    db = f"sqlite:///{tmp_path / 'timeout.db'}"
    with LocalSite() as site:
        slow_listing_site(site)
        result = subprocess.run(crawl_cmd(db, site.url("/list/1"), "-s", "NEWSCRAWL_PARSE_WORKERS=1",
                                          "-s", "NEWSCRAWL_PARSE_TIMEOUT=1"),
                                cwd=ROOT, env=env(tmp_path), capture_output=True, text=True, timeout=150)
        listing_url = site.url("/list/1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "parsing it once more" not in result.stderr
    state, reason = states(db)[listing_url]
    assert state == "rejected" and (reason or "").startswith("not parsed: the parse worker died (killed after"), reason
    assert result.stderr.count("a page took over") == 1  # one worker killed, not two
