"""One crawl process vs two sharing a Redis frontier (``--redis``), same site, same PostgreSQL.

Usage: ``python -m benchmarks.bench_redis [--pages N]`` (default 2,000; the generated site of
``benchmarks.sitegen``, served by nginx when available). Needs Redis at 127.0.0.1:6379 and
PostgreSQL at 127.0.0.1:5432. Writes benchmarks/results/redis-latest.json.

Two layouts, each measured as 1 process vs 2 on this machine:

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

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/13"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
IDLE = 3  # seconds each process waits on an empty frontier before it exits


def fresh_db() -> str:
    name = f"nc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def run(processes: int, workers: int, sitemap: str, client: redis.Redis) -> dict:
    db = fresh_db()
    subprocess.run([sys.executable, "-m", "crawler.cli", "stats", "--db", db], capture_output=True, cwd=ROOT)
    for key in client.scan_iter("newscrawl:*"):
        client.delete(key)
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", sitemap, "--db", db, "--redis", REDIS_URL, "--profile", "fast",
           "--log-level", "WARNING", "-q", "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={IDLE}",
           "-s", f"NEWSCRAWL_PARSE_WORKERS={workers}"]
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"a crawl process failed (exit {proc.returncode}): {err[-2000:]}")
    wall = time.monotonic() - started - IDLE
    with psycopg.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        distinct = conn.execute("select count(distinct canonical_url) from articles").fetchone()[0]
    return {"processes": processes, "parse_workers_each": workers, "wall_s": round(wall, 1), "stored": stored,
            "stored_once": stored == distinct, "pages_per_s": round(stored / wall, 1)}


LAYOUTS = {"one_per_core": (0, 0), "same_parse_processes": (2, 1)}  # parse workers: (1 process, each of 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    site = ROOT / "benchmarks" / f".site-{args.pages}"
    generate_site(site, args.pages, DEFAULT_SEED)  # reused when it is already there
    client = redis.Redis.from_url(REDIS_URL)
    layouts = {}
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site, Path(tmp) / "overlay", "auto") as server:
        sitemap = write_discovery(Path(tmp) / "overlay", server.origin, args.pages, DEFAULT_SEED)
        for name, (workers_one, workers_two) in LAYOUTS.items():
            one, two = run(1, workers_one, sitemap, client), run(2, workers_two, sitemap, client)
            layouts[name] = {"one": one, "two": two, "ratio": round(two["pages_per_s"] / one["pages_per_s"], 2)}
    result = {"pages": args.pages, "target_ratio": 1.6, "layouts": layouts,
              "machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpu_count": os.cpu_count()},
              "timestamp": datetime.now(UTC).isoformat(timespec="seconds")}
    out = ROOT / "benchmarks" / "results" / "redis-latest.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
