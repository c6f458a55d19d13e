"""``newscrawl schedule FILE``: run crawl jobs on intervals in one long-lived process.

Each job runs as its own ``newscrawl crawl`` child process (Scrapy's reactor cannot be
restarted in one process, and a crashed crawl must not take the scheduler down). A job
whose previous run is still going is skipped for that tick, by the same site lock that
makes cron safe. The file is TOML::

    [[job]]
    name = "demo"                 # label in the log
    targets = ["demo"]            # what `newscrawl crawl` takes: URLs and/or a profile
    every = "30m"                 # 90s, 30m, 6h, 1d
    db = "sqlite:///news.db"      # optional (default: --db / $NEWSCRAWL_DB)
    args = ["--preset", "fast"]   # optional extra `crawl` options
    timeout = "2h"                # optional; default: the interval
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.exitcodes import EXIT_LOCKED, EXIT_LOST, EXIT_OK, EXIT_UNREACHABLE

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ScheduleError(ValueError):
    """An invalid schedule file: names the file, the job and the reason."""


def parse_interval(text: str) -> float:
    """``90s`` / ``30m`` / ``6h`` / ``1d`` (or a bare number of seconds) in seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an interval like 90s, 30m, 6h or 1d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


@dataclass
class Job:
    name: str
    targets: list[str]
    every: float
    db: str | None = None
    args: list[str] = field(default_factory=list)
    timeout: float | None = None
    next_run: float = 0.0

    def command(self, default_db: str | None) -> list[str]:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", *self.targets, *self.args]
        db = self.db or default_db
        return [*cmd, "--db", db] if db else cmd


def load_schedule(path: Path | str) -> list[Job]:
    """Read and validate a schedule file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScheduleError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: not valid TOML: {exc}") from exc
    jobs = []
    for i, raw in enumerate(data.get("job", [])):
        label = raw.get("name") or f"job {i + 1}"
        unknown = set(raw) - {"name", "targets", "every", "db", "args", "timeout"}
        if unknown:
            raise ScheduleError(f"{path}: {label}: unknown key(s) {', '.join(sorted(unknown))}")
        targets = raw.get("targets")
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
            raise ScheduleError(f"{path}: {label}: targets must be a non-empty list of strings")
        try:
            every = parse_interval(raw.get("every", ""))
            timeout = parse_interval(raw["timeout"]) if "timeout" in raw else None
        except ValueError as exc:
            raise ScheduleError(f"{path}: {label}: {exc}") from exc
        args = raw.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise ScheduleError(f"{path}: {label}: args must be a list of strings")
        jobs.append(Job(label, targets, every, raw.get("db"), args, timeout))
    if not jobs:
        raise ScheduleError(f"{path}: no [[job]] entries")
    return jobs


def run_job(job: Job, default_db: str | None, log: Callable[[str], None]) -> int:
    """Run one job to completion (or its timeout); returns the crawl's exit code."""
    started = time.monotonic()
    log(f"job {job.name}: starting {' '.join(job.command(default_db)[3:])}")
    try:
        done = subprocess.run(job.command(default_db), capture_output=True, text=True,
                              timeout=job.timeout or job.every)
    except subprocess.TimeoutExpired:
        log(f"job {job.name}: timed out after {job.timeout or job.every:.0f} s and was stopped")
        return 124
    lines = done.stderr.splitlines()
    counts = [line for line in lines if line.startswith("crawl ")]
    errors = [re.sub(r" \(exit \d+\)$", "", line.removeprefix("error: "))
              for line in lines if line.startswith("error:")]
    state = _STATES.get(done.returncode, "failed")
    if done.returncode not in (0, 75):
        why = errors[-1] if errors else _WHY.get(done.returncode, "see its log")
        state = f"{state} (exit {done.returncode}): {why}"
    log(f"job {job.name}: {state} in {time.monotonic() - started:.1f} s" + (f"; {counts[-1]}" if counts else ""))
    return done.returncode


_STATES = {EXIT_OK: "ok", EXIT_LOCKED: "skipped (previous run still going)", EXIT_LOST: "failed",
           EXIT_UNREACHABLE: "failed: site unreachable", 2: "failed: bad arguments"}
_WHY = {EXIT_LOST: "items could not be stored or the crawl did not finish",
        EXIT_UNREACHABLE: "nothing could be fetched, or a start URL, sitemap or feed failed",
        -9: "killed (SIGKILL)", -15: "stopped (SIGTERM)"}


def run_schedule(jobs: list[Job], default_db: str | None, log: Callable[[str], None], once: bool = False,
                 duration: float | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run jobs on their intervals until ``duration`` seconds pass (forever when None);
    ``once`` runs each job one time and returns. Returns 1 if any run failed."""
    failed = False
    start = time.monotonic()
    for job in jobs:
        job.next_run = start
    while True:
        now = time.monotonic()
        if duration is not None and now - start >= duration:
            return int(failed)
        due = [job for job in jobs if job.next_run <= now]
        for job in due:
            code = run_job(job, default_db, log)
            failed |= code not in (EXIT_OK, EXIT_LOCKED)
            job.next_run = max(job.next_run + job.every, time.monotonic())
        if once:
            return int(failed)
        wait = min(job.next_run for job in jobs) - time.monotonic()
        if duration is not None:
            wait = min(wait, start + duration - time.monotonic())
        if wait > 0:
            sleep(min(wait, 60))
