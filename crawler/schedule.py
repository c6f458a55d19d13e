"""``newscrawl schedule FILE``: run crawl jobs on intervals in one long-lived process.

Jobs run in ``newscrawl crawl`` child processes (Scrapy's reactor cannot be restarted in
one process, and a crashed crawl must not take the scheduler down). The jobs due at the same
time whose targets are all site profiles and that share a database and extra ``args`` run
together in ONE crawl process (``crawler.multisite``: each site with its own politeness,
lock, run record and exit code), so 200 sites are one process, not 200; a job with start
URLs runs alone. Each job's state in the log is read from its own sites' summary lines. A
job whose previous run is still going is skipped for that tick, by the same site lock that
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

from crawler.exitcodes import EXIT_DRIFT, EXIT_LOCKED, EXIT_LOST, EXIT_OK, EXIT_UNREACHABLE

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


def profile_names(job: Job) -> list[str] | None:
    """The site names of a job whose targets are all site profiles (None otherwise): such
    jobs can share a crawl process."""
    from crawler.profiles import ProfileError, find_profile

    names = []
    for target in job.targets:
        if "://" in target:
            return None
        try:
            names.append(find_profile(target).name)
        except ProfileError:
            return None  # run alone: its own crawl reports the bad profile
    return names


def group_jobs(jobs: list[Job]) -> list[list[Job]]:
    """Due jobs in crawl processes: profile-only jobs with the same database and ``args`` in
    one group (a site in two of them runs once), every other job alone."""
    groups: dict[tuple[str | None, tuple[str, ...]], list[Job]] = {}
    alone: list[list[Job]] = []
    for job in jobs:
        if profile_names(job) is None:
            alone.append([job])
        else:
            groups.setdefault((job.db, tuple(job.args)), []).append(job)
    return [*groups.values(), *alone]


_SITE_LINE = re.compile(r"^(?:crawl|error:) \[([\w.-]+)\] ")
_EXIT = re.compile(r"\(exit (\d+)\)$")


def run_group(jobs: list[Job], default_db: str | None, log: Callable[[str], None]) -> dict[str, int]:
    """Run several profile-only jobs in one crawl process; returns each job's exit code (the
    most serious of its sites')."""
    from crawler.multisite import worst_code

    if len(jobs) == 1:
        return {jobs[0].name: run_job(jobs[0], default_db, log)}
    names = {job.name: profile_names(job) or [] for job in jobs}
    by_site: dict[str, str] = {}
    for job in jobs:  # a site named by two jobs (by name or by path) is crawled once
        for target, name in zip(job.targets, names[job.name], strict=True):
            by_site.setdefault(name, target)
    targets = list(by_site.values())
    merged = Job(",".join(job.name for job in jobs), targets, max(job.every for job in jobs), jobs[0].db,
                 jobs[0].args, max(job.timeout or job.every for job in jobs))
    started = time.monotonic()
    log(f"jobs {merged.name}: starting {len(targets)} sites in one process")
    try:
        done = subprocess.run(merged.command(default_db), capture_output=True, text=True, timeout=merged.timeout)
    except subprocess.TimeoutExpired:
        log(f"jobs {merged.name}: timed out after {merged.timeout:.0f} s and were stopped")
        return {job.name: 124 for job in jobs}
    site_codes: dict[str, int] = {}
    site_lines: dict[str, list[str]] = {}
    for line in done.stderr.splitlines():
        match = _SITE_LINE.match(line)
        if match:
            site_lines.setdefault(match.group(1), []).append(line)
            code = _EXIT.search(line)
            site_codes[match.group(1)] = max(site_codes.get(match.group(1), 0), int(code.group(1)) if code else 0)
    took = time.monotonic() - started
    codes = {}
    for job in jobs:
        mine = names[job.name]
        # a site with no summary line at all did not finish: the process died under it
        code = worst_code([site_codes.get(n, done.returncode or EXIT_LOST) for n in mine])
        codes[job.name] = code
        state = _STATES.get(code, "failed")
        if code not in (0, 75):
            errors = [re.sub(r" \(exit \d+\)$", "", line.split("] ", 1)[1])
                      for n in mine for line in site_lines.get(n, []) if line.startswith("error:")]
            state = f"{state} (exit {code}): {errors[-1] if errors else _WHY.get(code, 'see its log')}"
        counts = [line for n in mine for line in site_lines.get(n, []) if line.startswith("crawl ")]
        log(f"job {job.name}: {state} in {took:.1f} s (one process with {len(targets)} sites)"
            + (f"; {'; '.join(counts)}" if counts else ""))
    return codes


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


_STATES = {EXIT_OK: "ok", EXIT_DRIFT: "done, but the layout drifted",
           EXIT_LOCKED: "skipped (previous run still going)", EXIT_LOST: "failed",
           EXIT_UNREACHABLE: "failed: site unreachable", 2: "failed: bad arguments"}
_WHY = {EXIT_DRIFT: "a field's fill rate dropped or a profile selector matched nothing",
        EXIT_LOST: "items could not be stored or the crawl did not finish",
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
        for group in group_jobs(due):
            codes = run_group(group, default_db, log)
            for job in group:
                failed |= codes[job.name] not in (EXIT_OK, EXIT_LOCKED)
                job.next_run = max(job.next_run + job.every, time.monotonic())
        if once:
            return int(failed)
        wait = min(job.next_run for job in jobs) - time.monotonic()
        if duration is not None:
            wait = min(wait, start + duration - time.monotonic())
        if wait > 0:
            sleep(min(wait, 60))
