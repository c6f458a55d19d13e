"""What a crawl prints: a progress line on a terminal, nothing of it when piped, and one JSON
object per line with --log-format json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing
from tests.helpers.terminal import run_on_terminal as on_terminal

pytestmark = pytest.mark.e2e


def _site(site: LocalSite) -> None:
    site.route("/", listing(["/news/1.html", "/news/2.html"]))
    for n in (1, 2):
        site.route(f"/news/{n}.html", article(n), delay=0.6)


def test_progress_line_on_a_terminal(tmp_path: Path) -> None:
    with LocalSite() as site:
        _site(site)
        code, text, _ = on_terminal([sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--profile",
                                     "fast", "--db", f"sqlite:///{tmp_path / 'p.db'}", "--log-level", "WARNING"],
                                    stream="stderr", env=dict(os.environ), cwd=ROOT)
    assert code == 0, text[-2000:]
    assert "pages " in text and "/s) · new " in text and "\r" in text
    assert "new 2" in text


def test_no_progress_when_piped_and_json_logs(tmp_path: Path) -> None:
    with LocalSite() as site:
        _site(site)
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", site.url("/"), "--profile", "fast",
                                 "--db", f"sqlite:///{tmp_path / 'j.db'}", "--log-format", "json"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and "\r" not in result.stderr
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records[-1]["event"] == "crawl_finished" and records[-1]["new"] == 2 and records[-1]["ok"] is True
    assert any(r.get("logger", "").startswith("scrapy") for r in records[:-1])
