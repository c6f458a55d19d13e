"""list, show and stats over real stores: output on a terminal (a pseudo-terminal) and when
piped (JSON Lines), filters, duplicates, fill rates and their drop warning, bad arguments."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.cli.store_cmds import clip, display_width, wrap
from storage.db import connect
from storage.report import Selection, iter_records, stats
from storage.repository import Rejected, Repository
from tests.conftest import ROOT
from tests.helpers.terminal import run_on_terminal as on_terminal
from tests.storage.test_search import make_record, make_store

NEWSCRAWL = [sys.executable, "-m", "crawler.cli"]


def run_piped(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSCRAWL, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def run_on_terminal(*args: str, columns: int = 100) -> str:
    """The command's stdout when it is a terminal (a pseudo-terminal)."""
    env = dict(os.environ, COLUMNS=str(columns), LINES="40")
    code, shown, errors = on_terminal([*NEWSCRAWL, *args], env=env, cwd=ROOT)
    assert code == 0, errors
    return shown.replace("\r\n", "\n")


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'inspect.db'}"
    make_store(url).engine.dispose()
    return url


@pytest.mark.process
def test_list_is_a_table_on_a_terminal_and_json_lines_when_piped(store: str) -> None:
    table = run_on_terminal("list", "--db", store)
    assert "published" in table and "明天天气晴朗" in table and "Climate change report" in table
    assert not table.lstrip().startswith("{")
    piped = run_piped("list", "--db", store)
    assert piped.returncode == 0, piped.stderr
    records = [json.loads(line) for line in piped.stdout.splitlines()]
    assert [r["id"] for r in records] == [4, 3, 2, 1]  # newest first (published 5th, 4th, 3rd, 2nd March)
    forced = run_on_terminal("list", "--json", "--db", store)
    assert forced.lstrip().startswith("{")


def test_list_filters_and_duplicates(store: str) -> None:
    runner = CliRunner()

    def ids(*args: str) -> list[int]:
        result = runner.invoke(main, ["list", "--db", store, "--json", *args])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["id"] for line in result.output.splitlines()]

    assert ids("--site", "other") == [4]
    assert ids("--category", "news", "--limit", "2") == [3, 2]
    assert ids("--since", "2025-03-03", "--until", "2025-03-05") == [3, 2]
    repo = Repository(connect(store))
    copy = replace(make_record(2, extra="今天的天气预报说明天会下雨。"), url="http://copy.example.com/2.html",
                   canonical_url="http://copy.example.com/2.html", site="copy")
    assert repo.store_batch([copy]) == ["duplicate"]
    assert 5 not in ids()
    assert 5 in ids("--duplicates", "include") and 5 in ids("--include-duplicates")
    assert ids("--duplicates", "only") == [5]
    csv_out = runner.invoke(main, ["list", "--db", store, "--csv", "--limit", "0"])
    assert csv_out.output.startswith("url,canonical_url,site")
    assert len(list(csv.DictReader(io.StringIO(csv_out.output)))) == 4
    # a table is cut to the terminal's width (COLUMNS, else 100): pin it
    table = runner.invoke(main, ["list", "--db", store, "--table", "--duplicates", "only"],
                          env={"COLUMNS": "120"})
    assert "[dup of 2]" in table.output


def test_show_prints_every_field_and_wraps_the_body(store: str) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["show", "2", "--db", store, "--width", "40"])
    assert shown.exit_code == 0, shown.output
    for label in ("id:", "title:", "url:", "site:", "category:", "published:", "language:", "fetched:",
                  "content hash:"):
        assert label in shown.output, label
    body_lines = shown.output.split("\n\n", 1)[1].splitlines()
    assert all(display_width(line) <= 40 for line in body_lines)
    assert "天气预报" in "".join(body_lines)
    by_url = runner.invoke(main, ["show", "http://demo.example.com/news/2.html", "--db", store, "--json"])
    assert json.loads(by_url.output)["id"] == 2
    versions = runner.invoke(main, ["show", "2", "--db", store, "--versions"])
    assert "1 version:" in versions.output and "[current]" in versions.output


def test_terminal_text_helpers() -> None:
    assert display_width("天气ab") == 6
    assert clip("天气预报很准确", 7) == "天气预…" and display_width(clip("ab", 5)) == 5
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert all(display_width(line) <= 8 for line in wrap("今天的天气预报说明天会下雨", 8))


def test_stats_per_site_and_run_with_fill_rates_and_a_layout_warning(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 's.db'}")
    repo = Repository(engine)
    run1 = repo.start_run("news", "demo")
    repo.store_batch([make_record(n, summary="摘要") for n in range(1, 7)]
                     + [Rejected("http://demo.example.com/list/1.html", "listing page")], run_id=run1)
    repo.finish_run(run1, "finished", {"pages": 7, "items_new": 6, "items_rejected": 1})
    run2 = repo.start_run("news", "demo")  # the site's layout changed: no dates, no summaries
    repo.store_batch([make_record(n, published=None) for n in range(7, 13)]
                     + [Rejected("http://demo.example.com/x.html", "invalid: body too short (12 chars)"),
                        Rejected("http://demo.example.com/y.html", "invalid: body too short (3 chars)")], run_id=run2)
    repo.finish_run(run2, "finished", {"pages": 8, "items_new": 6, "items_rejected": 2})
    data = stats(engine)
    site = data["sites"][0]
    assert site["site"] == "demo" and site["records"] == 12 and site["rejects"] == 3
    assert site["reject_reasons"] == {"invalid: body too short": 2, "listing page": 1}
    assert site["fill"]["published_at"] == 0.5 and site["fill"]["title"] == 1.0 and site["fill"]["authors"] == 0.0
    runs = {r["id"]: r for r in data["runs"]}
    assert runs[run1]["fill"]["published_at"] == 1.0 and runs[run2]["fill"]["published_at"] == 0.0
    assert runs[run2]["records_written"] == 6 and runs[run2]["reject_reasons"] == {"invalid: body too short": 2}
    assert any(f"run {run2}" in w and "published_at" in w for w in data["warnings"])
    assert not any(f"run {run1}" in w for w in data["warnings"])
    text = CliRunner().invoke(main, ["stats", "--db", str(engine.url)])
    assert text.exit_code == 0 and "fill rates" in text.output and "layout changed" in text.output
    as_json = json.loads(CliRunner().invoke(main, ["stats", "--db", str(engine.url), "--json"]).output)
    assert as_json["articles"] == 12 and "raw_pages" in as_json and as_json["runs"][0]["id"] == run2


def test_stats_on_postgres(postgres_url: str) -> None:
    repo = make_store(postgres_url)
    data = stats(repo.engine)
    assert data["articles"] == 4 and {s["site"] for s in data["sites"]} == {"demo", "other"}
    assert [r.id for r in iter_records(repo.engine, Selection(limit=2))] == [4, 3]
    repo.engine.dispose()


@pytest.mark.parametrize("args, message", [
    (["list", "--limit", "-1"], "--limit"),
    (["list", "--since", "last week"], "not a date"),
    (["list", "--json", "--csv"], "choose one of"),
    (["list", "--duplicates", "maybe"], "--duplicates"),
    (["show", "nope"], "no article"),
    (["search", "天气", "--db", "sqlite:///:memory:"], "database file"),
    (["stats", "--runs", "x"], "--runs"),
    (["export", "--format", "rss"], "--format"),
    (["browse", "--port", "99999"], "--port"),
])
@pytest.mark.process
def test_bad_arguments_are_one_clear_line_and_a_non_zero_exit(args: list[str], message: str, store: str) -> None:
    if "--db" not in args:
        args = [*args, "--db", store]
    result = run_piped(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0], result.stderr
