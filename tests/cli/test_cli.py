"""The command line: parse (files and manifest), list/show/stats/export over a real store,
help texts, and one-line errors with non-zero exits for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import FIXTURES, ROOT, SEED_URL

SEED = FIXTURES / "seed-article" / "page.html"
EXPECTED = json.loads((FIXTURES / "seed-article" / "expected.json").read_text(encoding="utf-8"))
NEWSCRAWL = [sys.executable, "-m", "crawler.cli"]


def run(*args: str, env_db: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_db:
        env["NEWSCRAWL_DB"] = env_db
    return subprocess.run([*NEWSCRAWL, *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


@pytest.mark.process
def test_parse_seed_prints_expected_record() -> None:
    result = run("parse", str(SEED), "--url", SEED_URL)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["input"] == str(SEED)
    for field in ("title", "title_raw", "title_spam_prefix", "breadcrumb", "category", "published_at", "source",
                  "summary", "images", "tags", "comment_count"):
        assert record[field] == EXPECTED[field], field


def test_parse_manifest_keeps_input_order_and_reports_errors(tmp_path: Path) -> None:
    bad = tmp_path / "empty.html"
    bad.write_text("<html><body></body></html>", encoding="utf-8")
    manifest = tmp_path / "pages.jsonl"
    entries = [{"path": str(SEED), "url": SEED_URL}, {"path": str(bad), "url": "http://x.example.com/"},
               {"path": str(tmp_path / "missing.html"), "url": "http://x.example.com/m"}, {"path": str(SEED)}]
    manifest.write_text("\n".join(json.dumps(e) for e in entries) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--manifest", str(manifest)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == [e["path"] for e in entries]
    assert lines[0]["title"] == EXPECTED["title"]
    assert lines[1]["error"].startswith("not an article")
    assert lines[2]["error"].startswith("cannot read file")
    assert lines[3]["url"].startswith("file://")
    assert result.exit_code == 1



@pytest.mark.process
def test_parse_workers_give_the_same_lines_in_input_order(tmp_path: Path) -> None:
    """--workers N spreads a manifest over N processes: the same lines as one process, in the
    input order, an unreadable input's error line in its place."""
    manifest = tmp_path / "pages.jsonl"
    pages = FIXTURES / "pages"
    lines = [json.loads(line) for line in (pages / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    entries = [{"path": str(pages / e["path"]), "url": e["url"], "fetched_at": e["fetched_at"]} for e in lines]
    entries.insert(3, {"path": str(tmp_path / "missing.html"), "url": "http://x.example.com/m"})
    manifest.write_text("\n".join(json.dumps(e) for e in entries) + "\n", encoding="utf-8")
    one, two = (run("parse", "--workers", n, "--manifest", str(manifest)) for n in ("1", "2"))
    assert one.stdout and one.stdout == two.stdout
    assert [json.loads(line)["input"] for line in two.stdout.splitlines()] == [e["path"] for e in entries]
    assert one.returncode == two.returncode == 1  # the missing file
    assert "cannot read file" in two.stdout.splitlines()[3]
    bad = run("parse", "--workers", "0", str(SEED))
    assert bad.returncode == 2 and "--workers" in bad.stderr


def test_parse_uses_a_process_per_cpu_only_for_many_inputs() -> None:
    from crawler.cli.parse_cmd import POOL_FROM, _worker_count

    cpus = os.cpu_count() or 1
    assert _worker_count(None, POOL_FROM - 1) == 1
    assert _worker_count(None, POOL_FROM) == cpus
    assert _worker_count(3, 2) == 3  # asked for: as asked (the pool itself never exceeds the inputs)

LISTING = """<html><head><title>Sport | Example News</title><meta property="og:type" content="website"></head>
<body><h1>Sport</h1>""" + "".join(
    f'<div class="teaser"><h2><a href="/sport/{i}/story-number-{i}.html">Story number {i} of the day in sport</a></h2>'
    f"<p>A long summary of the story that tells the reader what happened at the match last night, who scored "
    f"and what the coach said afterwards, cut off where the teaser ends, as listings do with their excerpts…</p></div>"
    for i in range(8)) + "</body></html>"

RELATIVE = """<html><head><title>Rain moves in over the coast</title></head><body><h1>Rain moves in over the coast</h1>
<p class="meta">Published 3 hours ago</p>""" + "".join(
    f"<p>Paragraph {i}: forecasters expect heavy rain along the coast this afternoon, with strong winds and "
    f"flooding possible in low-lying areas until late evening.</p>" for i in range(5)) + "</body></html>"


def test_parse_prints_every_record_with_its_verdict(tmp_path: Path) -> None:
    """A page that is not an article still gets its record, with kind and kind_reason beside
    it; only a page with no record at all gets an error line. The exit status says whether
    every input is an article."""
    listing = tmp_path / "sport.html"
    listing.write_text(LISTING, encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--url", "http://news.example.com/sport/", str(SEED), str(listing)])
    seed, sport = (json.loads(line) for line in result.stdout.splitlines())
    assert (seed["kind"], seed["kind_reason"], seed["warnings"]) == ("article", None, [])
    assert sport["kind"] == "listing" and sport["kind_reason"].startswith("listing page") and sport["title"] == "Sport"
    assert "error" not in sport
    assert result.exit_code == 1


def test_parse_resolves_relative_dates_against_fetched_at(tmp_path: Path) -> None:
    page = tmp_path / "rain.html"
    page.write_text(RELATIVE, encoding="utf-8")
    url = "http://news.example.com/2021/03/rain.html"
    result = CliRunner().invoke(main, ["parse", "--url", url, "--fetched-at", "2021-03-04T15:00:00+00:00", str(page)])
    record = json.loads(result.stdout)
    assert record["published_at"] == "2021-03-04T12:00:00+00:00"
    assert record["fetched_at"] == "2021-03-04T15:00:00+00:00"
    manifest = tmp_path / "pages.jsonl"
    manifest.write_text(json.dumps({"path": str(page), "url": url, "fetched_at": "2020-01-01T09:30:00Z"}) + "\n",
                        encoding="utf-8")
    record = json.loads(CliRunner().invoke(main, ["parse", "--manifest", str(manifest)]).stdout)
    assert record["published_at"] == "2020-01-01T06:30:00+00:00"
    bad = CliRunner().invoke(main, ["parse", "--fetched-at", "last tuesday", str(page)])
    assert bad.exit_code != 0 and "not an ISO 8601" in bad.output


@pytest.mark.parametrize("args", [
    ["parse", "/no/such/file.html"],
    ["export", "--format", "xml"],
    ["list", "--db", "postgresql://nobody@127.0.0.1:1/none"],
    ["stats", "--db", "sqlite:////no/such/dir/x.db"],
    ["show", "999"],
    ["crawl", "ftp://example.com/"],
    ["export", "--since", "yesterday"],
    ["search", ""],
    ["list", "--limit", "x"],
])
@pytest.mark.process
def test_bad_input_is_one_line_error_not_traceback(args: list[str], tmp_path: Path) -> None:
    result = run(*args, env_db=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if "rror" in line]
    assert error_lines, result.stderr


@pytest.mark.parametrize("command", ["crawl", "parse", "export", "list", "show", "search", "stats", "browse", "demo"])
def test_every_command_has_help_with_text(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 5


def test_store_commands_over_a_real_database(tmp_path: Path, seed_page: bytes) -> None:
    from crawler.parsing import parse_article
    from storage.db import connect
    from storage.repository import Repository

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    Repository(connect(db)).store_batch([parse_article(seed_page, SEED_URL)])
    runner = CliRunner()
    listed = runner.invoke(main, ["list", "--db", db])
    assert listed.exit_code == 0 and EXPECTED["title"][:20] in listed.output
    shown = runner.invoke(main, ["show", SEED_URL, "--db", db, "--json"])
    assert json.loads(shown.output)["title"] == EXPECTED["title"]
    text = runner.invoke(main, ["show", "1", "--db", db])
    assert "APPSO" in text.output and "首页 > 9" in text.output
    stats = runner.invoke(main, ["stats", "--db", db, "--json"])
    assert json.loads(stats.output)["articles"] == 1
    out = tmp_path / "a.csv"
    exported = runner.invoke(main, ["export", "--db", db, "--format", "csv", "--out", str(out)])
    assert exported.exit_code == 0 and out.read_text(encoding="utf-8").count("zixun.example.com/post/1987") >= 1


@pytest.mark.parametrize(("setting", "message"), [
    ("NEWSCRAWL_SCRIPT=bogus", "NEWSCRAWL_SCRIPT must be one of keep, simplified, traditional"),
    ("NEWSCRAWL_GC_THRESHOLD=abc", "NEWSCRAWL_GC_THRESHOLD must be 1-3 positive integers"),
    ("NEWSCRAWL_PARSE_TIMEOUT=soon", "NEWSCRAWL_PARSE_TIMEOUT must be a number of seconds"),
    ("NEWSCRAWL_BATCH_SIZE=-3", "NEWSCRAWL_BATCH_SIZE must be a whole number"),
    ("NEWSCRAWL_RENDER_TIMEOUT=0", "NEWSCRAWL_RENDER_TIMEOUT must be a number of seconds above 0"),
    ("NEWSCRAWL_RENDER_CONCURRENCY=0", "NEWSCRAWL_RENDER_CONCURRENCY must be a whole number, 1 or more"),
    ("NOEQUALS", "is not NAME=VALUE"),
])
def test_crawl_refuses_a_malformed_setting_before_crawling(tmp_path, setting: str, message: str) -> None:
    db = tmp_path / "never.db"
    result = CliRunner().invoke(main, ["crawl", "http://127.0.0.1:9/", "--db", f"sqlite:///{db}", "-s", setting])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not db.exists()  # nothing was started


@pytest.mark.process
@pytest.mark.parametrize(("flags", "expected"), [
    (["--preset", "fast"], "'CONCURRENT_REQUESTS': 32"),
    (["--profile", "fast"], "'CONCURRENT_REQUESTS': 32"),  # the old name, kept for existing cron lines
    ([], "'AUTOTHROTTLE_ENABLED': True"),  # polite by default
])
def test_crawl_preset_sets_the_scrapy_settings(tmp_path: Path, flags: list[str], expected: str) -> None:
    # Nothing listens on port 9: the crawl ends at once, after Scrapy logged its settings.
    result = run("crawl", "http://127.0.0.1:9/", "--db", f"sqlite:///{tmp_path / 'p.db'}", "--log-level", "INFO",
                 *flags)
    assert expected in result.stderr, result.stderr[-2000:]


@pytest.mark.process
def test_crawl_preset_and_its_old_name_must_agree(tmp_path: Path) -> None:
    result = run("crawl", "http://127.0.0.1:9/", "--db", f"sqlite:///{tmp_path / 'p.db'}", "--preset", "fast",
                 "--profile", "polite")
    assert result.returncode == 2 and "disagree" in result.stderr
    assert "--preset" in run("crawl", "--help").stdout and "--profile" not in run("crawl", "--help").stdout
