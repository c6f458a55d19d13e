"""Deployment to a real Scrapyd on 127.0.0.1: build the egg the way `scrapyd-deploy` does,
upload it through the HTTP API, schedule the news spider and see the records stored."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from storage.db import connect
from storage.repository import Repository
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite, free_port, wait_until_serving
from tests.helpers.pages import article, listing

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def _call(base: str, path: str, data: dict | None = None, files: dict | None = None) -> dict:
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (data or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(base + path, data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    elif data is not None:
        request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data, doseq=True).encode())
    else:
        request = urllib.request.Request(base + path)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path):
    if not (BIN / "scrapyd").exists():
        pytest.fail("scrapyd is a dev dependency: run `make test` (pip install -e .[dev])")
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n", encoding="utf-8")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if not wait_until_serving(lambda: _call(base, "/daemonstatus.json"), proc, timeout=30):
        proc.kill()
        pytest.fail("scrapyd did not start")
    yield base, home
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _build_egg(tmp_path: Path) -> bytes:
    """Build the egg from a clean copy of the tracked files, as `scrapyd-deploy` would."""
    src = tmp_path / "src"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    egg = tmp_path / "newscrawl.egg"
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=src, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return egg.read_bytes()


def test_deploy_schedule_and_store(scrapyd, tmp_path: Path) -> None:
    base, home = scrapyd
    db = f"sqlite:///{tmp_path / 'scrapyd.db'}"
    added = _call(base, "/addversion.json", {"project": "newscrawl", "version": "1"},
                  {"egg": ("newscrawl.egg", _build_egg(tmp_path))})
    assert added["status"] == "ok" and added["spiders"] >= 1, added
    with LocalSite() as site:
        site.route("/", listing(["/news/1.html", "/news/2.html"]))
        for n in (1, 2):
            site.route(f"/news/{n}.html", article(n))
        job = _call(base, "/schedule.json", {"project": "newscrawl", "spider": "news", "start_urls": site.url("/"),
                                              "setting": [f"NEWSCRAWL_DB={db}", "AUTOTHROTTLE_ENABLED=False"]})
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            jobs = _call(base, "/listjobs.json?project=newscrawl")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the scheduled job did not finish in 120 s")
    log = next((home / "logs").rglob("*.log")).read_text(encoding="utf-8", errors="replace")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    stored = {r.title for r in Repository(connect(db)).iter_records()}
    assert stored == {"Council story number 1 about the city budget", "Council story number 2 about the city budget"}
