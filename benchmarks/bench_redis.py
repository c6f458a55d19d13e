"""One crawl process vs two sharing a Redis frontier (``--redis``), same site, same PostgreSQL.

Usage: ``python -m benchmarks.bench_redis [--pages N]`` (default 5,000; the generated site of
``benchmarks.sitegen``, served by nginx when available). Needs Redis at 127.0.0.1:6379 and
PostgreSQL at 127.0.0.1:5432. Writes benchmarks/results/redis-latest.json.

Two layouts, each measured as 1 process vs 2 on this machine, each crawl ``--repeat`` times
(default 2, interleaved) with the best of each compared, as ``timeit`` does: the machine is
shared, and a slow spell during one run would otherwise decide the ratio:

* ``one_per_core``: every process parses inline (NEWSCRAWL_PARSE_WORKERS=0), so one process
  is one core's worth of work. This is how the shared frontier scales: what adding a process
  (or a machine) adds.
* ``same_parse_processes``: one process with 2 parse workers vs two with 1 each. On a 2-core
  machine one process with its pool already keeps both cores busy, so a second process can
  only add what the first left idle; this shows how much that is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

from benchmarks.sitegen import DEFAULT_SEED, generate_site, write_discovery
from benchmarks.siteserver import SiteServer
from benchmarks.throughput_run import cpu_seconds as process_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/13"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
IDLE = 3  # seconds each process waits on an empty frontier before it exits


def fresh_db() -> str:
    name = f"nc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def cpu_seconds(names: tuple[str, ...]) -> float | None:
    """CPU time used so far by the processes whose command name starts with one of ``names``,
    their reaped children included. None when no such process is visible here."""
    total, seen = 0.0, False
    for entry in os.listdir("/proc"):
        try:
            name = Path(f"/proc/{entry}/comm").read_text().strip() if entry.isdigit() else ""
        except OSError:
            continue
        if name.startswith(names):
            total += process_cpu_seconds(entry, reaped=True)
            seen = True
    return total if seen else None


def _count(db: str) -> int:
    with psycopg.connect(db) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def run(processes: int, workers: int, sitemap: str, pages: int, client: redis.Redis) -> dict:
    """One measured crawl. The rate is pages over the time from starting the processes to the
    last page being stored: what follows (each process waiting out its idle timeout on the
    empty frontier, then closing) is reported as ``exit_s`` but is not crawling."""
    db = fresh_db()
    subprocess.run([sys.executable, "-m", "crawler.cli", "stats", "--db", db], capture_output=True, cwd=ROOT)
    for key in client.scan_iter("newscrawl:*"):
        client.delete(key)
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", sitemap, "--db", db, "--redis", REDIS_URL, "--preset", "fast",
           "--log-level", "WARNING", "-q", "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={IDLE}",
           "-s", f"NEWSCRAWL_PARSE_WORKERS={workers}"]
    components = {"postgresql": ("postgres",), "redis": ("redis-server",), "nginx": ("nginx",)}
    before = {k: cpu_seconds(v) for k, v in components.items()}
    children = os.times()
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    stored_s = None
    while any(p.poll() is None for p in procs):
        if stored_s is None and _count(db) >= pages:
            stored_s = time.monotonic() - started
        time.sleep(0.2)
    exit_s = time.monotonic() - started
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"a crawl process failed (exit {proc.returncode}): {err[-2000:]}")
    crawl_cpu = (os.times().children_user + os.times().children_system
                 - children.children_user - children.children_system)
    with psycopg.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        distinct = conn.execute("select count(distinct canonical_url) from articles").fetchone()[0]
    stored_s = stored_s or exit_s - IDLE
    cpu_ms = {"crawl_processes": round(1000 * crawl_cpu / max(stored, 1), 2)}
    for name, before_s in before.items():
        after_s = cpu_seconds(components[name])
        if before_s is not None and after_s is not None:
            cpu_ms[name] = round(1000 * (after_s - before_s) / max(stored, 1), 2)
    return {"processes": processes, "parse_workers_each": workers, "stored_s": round(stored_s, 1),
            "exit_s": round(exit_s, 1), "stored": stored, "stored_once": stored == distinct,
            "pages_per_s": round(stored / stored_s, 1), "cpu_ms_per_page": cpu_ms}


LAYOUTS = {"one_per_core": (0, 0), "same_parse_processes": (2, 1)}  # parse workers: (1 process, each of 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each crawl; the best of each is compared")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help=f"comma-separated, of: {', '.join(LAYOUTS)}")
    args = parser.parse_args()
    site = ROOT / "benchmarks" / f".site-{args.pages}"
    generate_site(site, args.pages, DEFAULT_SEED)  # reused when it is already there
    client = redis.Redis.from_url(REDIS_URL)
    layouts = {}
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site, Path(tmp) / "overlay", "auto") as server:
        sitemap = write_discovery(Path(tmp) / "overlay", server.origin, args.pages, DEFAULT_SEED)
        for name in args.layouts.split(","):
            workers_one, workers_two = LAYOUTS[name]
            ones, twos = [], []
            for _ in range(args.repeat):  # interleaved, so a slow spell of the machine hits both
                ones.append(run(1, workers_one, sitemap, args.pages, client))
                twos.append(run(2, workers_two, sitemap, args.pages, client))
            one = max(ones, key=lambda r: r["pages_per_s"])
            two = max(twos, key=lambda r: r["pages_per_s"])
            layouts[name] = {"one": one, "two": two, "ratio": round(two["pages_per_s"] / one["pages_per_s"], 2),
                             "ratios_by_repeat": [round(t["pages_per_s"] / o["pages_per_s"], 2)
                                                  for o, t in zip(ones, twos, strict=True)],
                             "all_runs": {"one": [r["pages_per_s"] for r in ones],
                                          "two": [r["pages_per_s"] for r in twos]}}
    result = {"pages": args.pages, "repeat": args.repeat, "target_ratio": 1.6, "server": server.kind,
              "layouts": layouts,
              "machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpu_count": os.cpu_count()},
              "timestamp": datetime.now(UTC).isoformat(timespec="seconds")}
    out = ROOT / "benchmarks" / "results" / "redis-latest.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
