"""One crawl process vs two sharing a Redis frontier (``--redis``), same site, same PostgreSQL.

Usage: ``python -m benchmarks.bench_redis [--pages N]`` (default 2,000; the generated site of
``benchmarks.sitegen``, served by nginx when available). Needs Redis at 127.0.0.1:6379 and
PostgreSQL at 127.0.0.1:5432. One process runs with 2 parse workers, each of two processes
with 1, so both runs have the same number of parse processes on this 2-core machine.
Writes benchmarks/results/redis-latest.json.
"""

from __future__ import annotations

import argparse
import json
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

from benchmarks.sitegen import DEFAULT_SEED, write_discovery
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


def run(processes: int, sitemap: str, client: redis.Redis) -> dict:
    db = fresh_db()
    subprocess.run([sys.executable, "-m", "crawler.cli", "stats", "--db", db], capture_output=True, cwd=ROOT)
    for key in client.scan_iter("newscrawl:*"):
        client.delete(key)
    workers = str(2 // processes)
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", sitemap, "--db", db, "--redis", REDIS_URL, "--profile", "fast",
           "--log-level", "WARNING", "-q", "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={IDLE}",
           "-s", f"NEWSCRAWL_PARSE_WORKERS={workers}"]
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    for proc in procs:
        proc.communicate(timeout=1800)
    wall = time.monotonic() - started - IDLE
    with psycopg.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
    return {"processes": processes, "parse_workers_each": int(workers), "wall_s": round(wall, 1), "stored": stored,
            "pages_per_s": round(stored / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    site = ROOT / "benchmarks" / f".site-{args.pages}"
    if not site.is_dir():
        sys.exit(f"generate the site first: python -m benchmarks.bench_throughput --pages {args.pages}")
    client = redis.Redis.from_url(REDIS_URL)
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site, Path(tmp) / "overlay", "auto") as server:
        sitemap = write_discovery(Path(tmp) / "overlay", server.origin, args.pages, DEFAULT_SEED)
        one, two = run(1, sitemap, client), run(2, sitemap, client)
    result = {"pages": args.pages, "one": one, "two": two, "ratio": round(two["pages_per_s"] / one["pages_per_s"], 2),
              "machine": {"platform": platform.platform(), "python": platform.python_version()},
              "timestamp": datetime.now(UTC).isoformat(timespec="seconds")}
    out = ROOT / "benchmarks" / "results" / "redis-latest.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
