"""Many sites in one crawl process (``crawler.multisite``), through real crawls of local servers.

The 40-site test is the issue's "done when": 40 servers on 127.0.0.1 (one host:port each,
one downloader slot each), 10 articles each, 0.5 s delay per site, crawled by ONE
``newscrawl crawl`` process; then a ``schedule`` file of the same 40 jobs runs them in one
process too. Politeness is measured on the server side, from the times requests arrived.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.lock import SiteLock
from storage.db import connect
from storage.models import Article, CrawlRun
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite, free_port
from tests.helpers.pages import article, listing

pytestmark = [pytest.mark.server, pytest.mark.process, pytest.mark.e2e]

DELAY = 0.5
ARTICLES = 10
# measurement slack: the server stamps a request when its handler thread starts, after the
# connection and the request line were read, so two stamps can be a few ms closer than the
# two sends were
SLACK = 0.03


def serve_site(stack: ExitStack, n: int, robots: str = "User-agent: *\nDisallow: /private/\n") -> LocalSite:
    site = stack.enter_context(LocalSite())
    for j in range(ARTICLES):
        site.route(f"/news/{j}.html", article(1000 * n + j, title=f"Site {n} report {j} on harbour works zone{n}q{j}"))
    site.route("/", listing([f"/news/{j}.html" for j in range(ARTICLES)]))
    site.route("/robots.txt", robots, content_type="text/plain")
    return site


def write_profile(folder: Path, name: str, start: str, delay: float = DELAY, extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\nstart_urls = ["{start}"]\n{extra}\n[rules]\narticle = [\'/news/\\d+\\.html$\']\n'
                    f"[politeness]\ndelay = {delay}\nconcurrency = 1\n", encoding="utf-8")
    return path


def run_measured(args: list[str], timeout: float = 120) -> tuple[int, str, float, int]:
    """Run newscrawl as a child; (exit code, stderr, seconds, peak RSS in MB) - the RSS of that
    child alone (``os.wait4``), bounded by ``timeout``."""
    started = time.monotonic()
    err_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"multisite-{os.getpid()}-{time.monotonic_ns()}.err"
    with open(err_path, "w+", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], stdout=subprocess.DEVNULL,
                                stderr=err, cwd=ROOT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    err_path.unlink()
    return proc.returncode, text, time.monotonic() - started, usage.ru_maxrss // 1024


def min_gap(site: LocalSite) -> float:
    stamps = sorted(t for _, t, _ in site.log)
    return min((b - a for a, b in zip(stamps, stamps[1:], strict=False)), default=float("inf"))


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[LocalSite], list[Path], Path]]:
    folder = tmp_path_factory.mktemp("forty")
    with ExitStack() as stack:
        sites = [serve_site(stack, n) for n in range(40)]
        profiles = [write_profile(folder, f"site{n:02d}", s.url("/")) for n, s in enumerate(sites)]
        yield sites, profiles, folder


def test_forty_sites_in_one_process_polite_fast_and_small(forty: tuple[list[LocalSite], list[Path], Path]) -> None:
    sites, profiles, folder = forty
    db = f"sqlite:///{folder / 'news.db'}"
    code, err, seconds, rss_mb = run_measured(["crawl", *map(str, profiles), "--db", db, "-q"])
    assert code == 0, err[-3000:]
    assert "crawled 40 sites in one process: 40 ok (exit 0)" in err
    engine = connect(db)
    with engine.connect() as conn:
        per_site = dict(conn.execute(select(Article.site, func.count()).group_by(Article.site)).all())
        runs = conn.execute(select(CrawlRun.site, CrawlRun.status, CrawlRun.items_new)).all()
    assert sum(per_site.values()) == 400 and set(per_site.values()) == {ARTICLES} and len(per_site) == 40
    # one run record per site, with that site's own counts
    assert sorted((r.site, r.status, r.items_new) for r in runs) == [(f"site{n:02d}", "finished", ARTICLES)
                                                                      for n in range(40)]
    gaps = [min_gap(s) for s in sites]
    assert min(gaps) >= DELAY - SLACK, f"a site was hit faster than its delay: {min(gaps):.3f} s"
    requests = [len(s.log) for s in sites]
    assert min(requests) >= ARTICLES + 2  # robots.txt, the home page, the articles
    one_after_another = sum((n - 1) * DELAY for n in requests)  # a lower bound: delays alone
    assert seconds < one_after_another / 3, (seconds, one_after_another)
    assert rss_mb < 500, rss_mb
    print(f"\n40 sites: {seconds:.1f} s (one after another >= {one_after_another:.0f} s), peak RSS {rss_mb} MB, "
          f"smallest gap {min(gaps):.3f} s")

    # the same 40 sites as 40 jobs of a schedule file: one crawl process runs them all
    schedule = folder / "schedule.toml"
    schedule.write_text("".join(f'[[job]]\nname = "job{n:02d}"\ntargets = ["{p}"]\nevery = "1h"\n\n'
                                for n, p in enumerate(profiles)), encoding="utf-8")
    for s in sites:
        s.clear()
    code, err, seconds, _ = run_measured(["schedule", str(schedule), "--once", "--db", db])
    assert code == 0, err[-3000:]
    assert err.count("starting 40 sites in one process") == 1
    assert err.count("(one process with 40 sites)") == 40 and err.count(": ok in ") == 40
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CrawlRun)).scalar() == 80
    assert all(s.hits()["/"] == 1 for s in sites)  # every site crawled again, once
    assert min(min_gap(s) for s in sites) >= DELAY - SLACK
    print(f"schedule of 40 jobs: {seconds:.1f} s")


def test_site_failures_robots_and_locks_stay_per_site(tmp_path: Path, db_url: str) -> None:
    """A dead site exits 3 and a locked site 75 without touching the others' runs; each host's
    robots.txt applies to that host only; the process exits with the most serious code (3).
    On SQLite and PostgreSQL (where the lock is also an advisory lock in the database)."""
    db = db_url
    with ExitStack() as stack:
        strict = serve_site(stack, 1, robots="User-agent: *\nDisallow: /news/3.html\n")
        open_site = serve_site(stack, 2)
        locked = serve_site(stack, 3)
        dead = f"http://127.0.0.1:{free_port()}/"
        profiles = [write_profile(tmp_path, "strict", strict.url("/"), 0.1),
                    write_profile(tmp_path, "open", open_site.url("/"), 0.1),
                    write_profile(tmp_path, "dead", dead, 0.1),
                    write_profile(tmp_path, "locked", locked.url("/"), 0.1)]
        from storage.db import database_url

        with SiteLock(database_url(db), "locked"):
            code, err, _, _ = run_measured(["crawl", *map(str, profiles), "--db", db, "-s", "RETRY_TIMES=0"])
        assert code == 3, err[-3000:]
        assert "error: [dead] " in err and "(exit 3)" in err
        assert "error: [locked] another crawl of 'locked' is running" in err and "(exit 75)" in err
        assert "exit codes: dead 3, locked 75 (exit 3)" in err
        engine = connect(db)
        with engine.connect() as conn:
            per_site = dict(conn.execute(select(Article.site, func.count()).group_by(Article.site)).all())
            runs = {r.site: r.status for r in conn.execute(select(CrawlRun.site, CrawlRun.status))}
        assert per_site == {"strict": ARTICLES - 1, "open": ARTICLES}
        assert runs == {"strict": "finished", "open": "finished", "dead": "unreachable"}  # none for the locked one
        assert "/news/3.html" not in strict.hits() and open_site.hits()["/news/3.html"] == 1
        assert not locked.hits()


def test_one_global_request_limit_across_sites(tmp_path: Path) -> None:
    """CONCURRENT_REQUESTS bounds the requests in flight across all sites of the process: with
    1, four sites without delays never have two requests at a server at once."""
    db = f"sqlite:///{tmp_path / 'news.db'}"
    with ExitStack() as stack:
        sites = [serve_site(stack, n) for n in range(4)]
        for s in sites:  # every page takes 0.1 s to answer
            for path, route in s.routes.items():
                route.delay = 0.1 if path != "/robots.txt" else 0.0
        profiles = [write_profile(tmp_path, f"g{n}", s.url("/"), 0.0) for n, s in enumerate(sites)]
        code, err, _, _ = run_measured(["crawl", *map(str, profiles), "--db", db, "--preset", "fast",
                                        "-s", "CONCURRENT_REQUESTS=1", "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        stamps = sorted(t for s in sites for path, t, _ in s.log if path != "/robots.txt")
    assert len(stamps) == 4 * (ARTICLES + 1)
    # one at a time: each slow page is answered before the next request arrives anywhere
    assert min(b - a for a, b in zip(stamps, stamps[1:], strict=False)) >= 0.1 - SLACK


def test_grouped_schedule_jobs_keep_their_own_states(tmp_path: Path) -> None:
    """Two profile jobs due together share one process; the dead site's job is logged as
    failed with its reason, the other's as ok, and the schedule exits 1."""
    db = f"sqlite:///{tmp_path / 'news.db'}"
    with ExitStack() as stack:
        alive = serve_site(stack, 5)
        profiles = [write_profile(tmp_path, "alive", alive.url("/"), 0.0),
                    write_profile(tmp_path, "gone", f"http://127.0.0.1:{free_port()}/", 0.0)]
        schedule = tmp_path / "schedule.toml"
        schedule.write_text("".join(f'[[job]]\nname = "{p.stem}-job"\ntargets = ["{p}"]\nevery = "1h"\n'
                                    f'args = ["-s", "RETRY_TIMES=0"]\n\n' for p in profiles), encoding="utf-8")
        code, err, _, _ = run_measured(["schedule", str(schedule), "--once", "--db", db])
    assert code == 1, err[-3000:]
    assert "jobs alive-job,gone-job: starting 2 sites in one process" in err
    assert "job alive-job: ok in " in err and re.search(r"crawl \[alive\] finished: \d+ pages, 10 new", err)
    assert "job gone-job: failed: site unreachable (exit 3): " in err


def test_worst_code_ranks_what_a_scheduler_must_act_on_first() -> None:
    from crawler.multisite import worst_code

    assert worst_code([0, 0, 0]) == 0 and worst_code([]) == 0
    assert worst_code([0, 75, 3]) == 3 and worst_code([75, 65, 0]) == 65 and worst_code([3, 1, 75]) == 1
    assert worst_code([0, 75]) == 75 and worst_code([0, 124, 1]) == 124  # unknown codes first


def test_several_profiles_refuse_urls_and_repeats(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import main

    a = write_profile(tmp_path, "a", "https://a.example/")
    b = write_profile(tmp_path, "b", "https://b.example/")
    db = f"sqlite:///{tmp_path / 'n.db'}"
    mixed = CliRunner().invoke(main, ["crawl", str(a), str(b), "https://c.example/", "--db", db])
    assert mixed.exit_code == 2 and "with several site profiles" in mixed.output
    twice = CliRunner().invoke(main, ["crawl", str(a), str(b), "a", "--db", db],
                               env={"NEWSCRAWL_PROFILES": str(tmp_path)})
    assert twice.exit_code == 2 and "given twice: a" in twice.output
