"""Layout drift reaches the scheduler: a run whose records suddenly lack a field the site's
records had shows it in its summary line and JSON log, and ``--fail-on-drift`` makes it
exit 65 (per site in a multi-site run). Real crawls of local servers."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest

from crawler.drift import selector_drift
from crawler.exitcodes import EXIT_DRIFT
from tests.crawl.test_multisite import run_measured, serve_site, write_profile
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

BYLINE = '<p class="byline">By Ann Writer</p>'


def publish(site: LocalSite, numbers: range, byline: bool) -> None:
    for n in numbers:
        page = article(n, title=f"Harbour works report {n} for the drift test")
        site.route(f"/news/{n}.html", page if byline else page.replace(BYLINE, ""))
    site.route("/", listing([f"/news/{n}.html" for n in numbers]))


@pytest.mark.server
@pytest.mark.process
@pytest.mark.e2e
def test_fill_rate_drop_in_summary_json_and_exit_code(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'news.db'}"
    with ExitStack() as stack:
        drifty = stack.enter_context(LocalSite())
        drifty.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        steady = serve_site(stack, 7)
        profile = str(write_profile(tmp_path, "drifty", drifty.url("/"), 0.0))
        fast = ["--db", db, "--preset", "fast", "-s", "NEWSCRAWL_PARSE_WORKERS=0"]

        publish(drifty, range(0, 15), byline=True)
        code, err, _, _ = run_measured(["crawl", profile, *fast, "--fail-on-drift"])
        assert code == 0 and "drift" not in err, err[-2000:]

        publish(drifty, range(15, 25), byline=False)  # the layout changed: no byline any more
        code, err, _, _ = run_measured(["crawl", profile, *fast, "--log-format", "json"])
        assert code == 0, err[-2000:]
        summary = [json.loads(line) for line in err.splitlines() if '"crawl_finished"' in line][-1]
        assert summary["exit_code"] == 0 and any("authors filled in 0%" in d for d in summary["drift"])

        publish(drifty, range(25, 35), byline=False)
        steady_profile = str(write_profile(tmp_path, "steady", steady.url("/"), 0.0))
        code, err, _, _ = run_measured(["crawl", profile, steady_profile, *fast, "--fail-on-drift"])
    assert code == EXIT_DRIFT, err[-3000:]
    line = next(x for x in err.splitlines() if x.startswith("crawl [drifty] "))
    assert "10 new" in line and "drift: 1 sign(s)" in line
    assert "warning: [drifty] drift: run 3 (drifty): authors filled in 0% of 10 records" in err
    assert "error: [drifty] layout drift (exit 65)" in err
    assert not any(x.startswith("crawl [steady] ") and "drift" in x for x in err.splitlines())
    assert "exit codes: drifty 65 (exit 65)" in err


def test_selector_drift_reads_the_parsers_counts_and_never_guesses() -> None:
    selectors = ["body", "title"]
    assert selector_drift({}, selectors) == []  # no counts kept: no claim either way
    stats = {"newscrawl/selector_pages/body": 12, "newscrawl/selector_pages/title": 12,
             "newscrawl/selector_matched/title": 12}
    assert selector_drift(stats, selectors) == ["selector for body matched nothing on 12 pages: "
                                                "has the layout changed?"]
    assert selector_drift({**stats, "newscrawl/selector_matched/body": 3}, selectors) == []
