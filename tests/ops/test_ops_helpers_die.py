"""Helpers die with the crawl (crawler.lifeline): SIGKILL a real crawl process mid-crawl,
with parse workers and a store process running, and no helper is alive 10 s later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    table = _process_table()
    found, frontier = set(), {pid}
    while frontier:
        children = {child for child, (parent, _) in table.items() if parent in frontier} - found
        found |= children
        frontier = children
    return found


def alive(pids: set[int]) -> set[int]:
    table = _process_table()
    return {pid for pid in pids if pid in table and table[pid][1] not in ("Z", "X")}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_helper_outlives_a_sigkilled_crawl(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {**os.environ, "NEWSCRAWL_LOCK_DIR": str(tmp_path / "locks"), "NEWSCRAWL_SPILL_DIR": str(tmp_path / "spill")}
    with LocalSite() as site:
        site.route("/", listing([f"/news/{i}.html" for i in range(1, 201)]))
        for i in range(1, 201):
            site.route(f"/news/{i}.html", article(i), delay=0.3)
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--preset", "fast",
                                 "-q", "-s", "NEWSCRAWL_PARSE_WORKERS=2", "-s", "NEWSCRAWL_STORE_PROCESS=True",
                                 site.url("/")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            helpers: set[int] = set()
            # two parse workers and the store process, and pages being parsed
            while time.monotonic() < deadline and not (len(helpers) >= 3 and site.hits()["/news/5.html"]):
                helpers |= descendants(proc.pid)
                time.sleep(0.2)
            helpers |= descendants(proc.pid)
            assert len(helpers) >= 3, f"helpers never started: {helpers}"
            assert proc.poll() is None, "the crawl ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            time.sleep(10)
            left = alive(helpers)
        finally:
            for pid in alive(descendants(proc.pid) | helpers if proc.poll() is None else helpers):
                os.kill(pid, signal.SIGKILL)  # only our own helpers, so a failure leaves nothing behind
            if proc.poll() is None:
                proc.kill()
    assert not left, f"helpers still alive 10 s after the crawl was killed: {sorted(left)}"
