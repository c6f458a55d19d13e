"""Crawl throughput benchmark: bare Scrapy vs a naive build vs newscrawl, in one run.

``make bench`` (``make bench PAGES=N``) runs this. Steps:

1. generate (or reuse) a static news site of N article pages (``benchmarks.sitegen``);
2. serve it on 127.0.0.1 with nginx, or the asyncio fallback (``benchmarks.siteserver``),
   and measure the server's own rate so a reader can see it was not the bottleneck;
3. crawl the sitemap three times, each in a fresh process (``benchmarks.throughput_run``):
   ``bare`` (tuned empty callback: the ceiling), ``naive`` (trafilatura + a commit per
   item), ``full`` (newscrawl's ``run_crawl``, fast profile, fresh SQLite file);
4. write ``benchmarks/results/throughput-<timestamp>.json`` and ``throughput-latest.json``
   and print a summary.

Why ratios: the machine is shared and its speed varies from run to run; the three crawls
of one run see about the same machine, so c/a and c/b are comparable across runs where raw
pages/s are not. Targets (issue 7): c/a >= 0.3 at 20,000 pages, c/b >= 2.5, peak RSS of
the full pipeline < 500 MB, RSS growth < 10% from 10k to 20k pages.

Run: ``.venv/bin/python -m benchmarks.bench_throughput --pages 20000``.
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
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks.sitegen import DEFAULT_SEED, all_meta, generate_site, write_discovery
from benchmarks.siteserver import SiteServer, measure_rate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
MODES = ("bare", "naive", "full")
TARGETS = {"ratio_full_bare": 0.3, "ratio_full_naive": 2.5, "peak_rss_mb": 500, "rss_growth_10k_20k": 0.10}


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """What the numbers were measured on (load average: the machine is shared)."""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), None)
    except OSError:
        model = None
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "scrapy": _version("scrapy"),
        "twisted": _version("twisted"),
        "lxml": _version("lxml"),
        "sqlalchemy": _version("sqlalchemy"),
        "trafilatura": _version("trafilatura"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def commit_latency_ms(directory: Path, commits: int = 30) -> float:
    """Milliseconds per INSERT+commit into a SQLite file here (rollback journal, the default).

    Why: the naive build commits every item, so its rate follows the disk's fsync latency,
    which varies between machines and with other load; this puts a number on it."""
    import sqlite3

    path = directory / "commit-probe.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.commit()
        start = time.perf_counter()
        for _ in range(commits):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 5000,))
            conn.commit()
        elapsed = time.perf_counter() - start
    path.unlink()
    return round(1000 * elapsed / commits, 2)


def run_child(mode: str, sitemap: str, pages: int, workdir: Path, timeout: float) -> dict[str, Any]:
    """One variant in a fresh interpreter; its log goes to ``workdir/<mode>.log``."""
    out = workdir / f"{mode}.json"
    log = workdir / f"{mode}.log"
    cmd = [sys.executable, "-m", "benchmarks.throughput_run", "--mode", mode, "--sitemap", sitemap,
           "--pages", str(pages), "--db", str(workdir / f"{mode}.db"), "--out", str(out)]
    with log.open("wb") as handle:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{mode} crawl failed (exit {proc.returncode}):\n{tail}")
    return dict(json.loads(out.read_text()))


def growth(samples: dict[str, float], low: int, high: int) -> float | None:
    if str(low) in samples and str(high) in samples and samples[str(low)]:
        return round((samples[str(high)] - samples[str(low)]) / samples[str(low)], 3)
    return None


def benchmark(pages: int, seed: int = DEFAULT_SEED, site_dir: Path | None = None, out_dir: Path = RESULTS,
              server_kind: str = "auto", rate_seconds: float = 5.0) -> dict[str, Any]:
    """The whole run; returns the result document (also written to ``out_dir``)."""
    site_dir = site_dir or Path(__file__).resolve().parent / f".site-{pages}"
    started = datetime.now(UTC)
    info = generate_site(site_dir, pages, seed)
    print(f"site: {pages} articles in {site_dir} ({'reused' if info.reused else f'generated in {info.seconds:.1f} s'},"
          f" {info.bytes / max(1, pages) / 1024:.1f} KB per article)", flush=True)
    doc: dict[str, Any] = {"pages": pages, "timestamp": started.isoformat(timespec="seconds"), "seed": seed,
                           "machine": machine(),
                           "site": {"dir": str(site_dir), "article_kb": round(info.bytes / max(1, pages) / 1024, 1),
                                    "listing_pages": info.listing_pages, "generated_s": round(info.seconds, 1),
                                    "reused": info.reused}}
    runs: dict[str, dict[str, Any]] = {}
    timeout = max(600.0, pages / 5.0)  # a crawl slower than 5 pages/s is broken, not slow
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        workdir = Path(tmp)
        overlay = workdir / "overlay"
        with SiteServer(site_dir, overlay, server_kind) as server:
            doc["machine"]["sqlite_commit_ms"] = commit_latency_ms(workdir)
            sitemap = write_discovery(overlay, server.origin, pages, seed)
            sample_paths = [m.path for m in all_meta(seed, min(pages, 16))]
            rate = measure_rate(server.origin, sample_paths, rate_seconds)
            doc["server"] = {"kind": server.kind, "detail": server.kind_detail, "note": server.note or None,
                             "rate": rate, "requests_per_s": rate.get("requests_per_s")}
            print(f"server: {server.kind} ({server.kind_detail}) at {server.origin}: "
                  f"{rate.get('requests_per_s') or 0:,.0f} requests/s ({rate['tool']})"
                  + (f" -- {server.note}" if server.note else ""), flush=True)
            for mode in MODES:
                began = time.monotonic()
                runs[mode] = run_child(mode, sitemap, pages, workdir, timeout)
                if not server.alive():
                    raise RuntimeError(f"the server died during the {mode} crawl")
                r = runs[mode]
                print(f"{mode:>5}: {r['pages_per_s']:8.1f} pages/s  cpu {r['cpu_percent']:5.1f}%  "
                      f"peak rss {r['peak_rss_mb']:6.1f} MB  ({r['responses']} responses in {r['elapsed_s']} s; "
                      f"{time.monotonic() - began:.0f} s with start-up)", flush=True)
    bare, naive, full = (runs[m]["pages_per_s"] for m in MODES)
    samples = runs["full"]["rss_samples"]
    low, high = (10_000, 20_000) if pages >= 20_000 else (max(1, pages // 2), pages)
    doc.update({
        "bare": bare, "naive": naive, "full": full,
        "ratio_full_bare": round(full / bare, 3) if bare else None,
        "ratio_full_naive": round(full / naive, 3) if naive else None,
        "peak_rss_mb": runs["full"]["peak_rss_mb"],
        "cpu_percent": {m: runs[m]["cpu_percent"] for m in MODES},
        "cpu_ms_per_page": {m: runs[m]["cpu_ms_per_page"] for m in MODES},
        "peak_rss_mb_by_run": {m: runs[m]["peak_rss_mb"] for m in MODES},
        "rss_samples": samples,
        "rss_growth": {"from": low, "to": high, "ratio": growth(samples, low, high)},
        "stored": {"full": runs["full"].get("stored"), "naive": runs["naive"].get("stored"),
                   "full_items_new": runs["full"]["stats"].get("newscrawl/items_new", 0),
                   "full_all_stored": runs["full"].get("stored") == pages},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
        "runs": runs,
    })
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    (out_dir / f"throughput-{stamp}.json").write_text(text)
    (out_dir / "throughput-latest.json").write_text(text)
    return doc


def summary(doc: dict[str, Any]) -> str:
    """A few lines a person reads after ``make bench``."""
    def mark(ok: bool | None) -> str:
        return "?" if ok is None else ("ok" if ok else "MISSED")

    growth_ratio = doc["rss_growth"]["ratio"]
    ratio_fb, ratio_fn = doc["ratio_full_bare"], doc["ratio_full_naive"]
    lines = [
        f"{doc['pages']} pages, server {doc['server']['kind']} "
        f"({doc['server']['requests_per_s'] or 0:,.0f} req/s), load {doc['machine']['load_average_at_start']}"
        f" -> {doc['load_average_at_end']}",
        f"pages/s: bare {doc['bare']}, naive {doc['naive']}, full {doc['full']}",
        f"full/bare {ratio_fb} (target >= 0.3: {mark(None if ratio_fb is None else ratio_fb >= 0.3)}), "
        f"full/naive {ratio_fn} (target >= 2.5: {mark(None if ratio_fn is None else ratio_fn >= 2.5)})",
        f"full: peak RSS {doc['peak_rss_mb']} MB (target < 500: {mark(doc['peak_rss_mb'] < 500)}), "
        f"RSS at {doc['rss_samples']}, growth {doc['rss_growth']['from']}->{doc['rss_growth']['to']}: "
        f"{growth_ratio} ({mark(None if growth_ratio is None else growth_ratio < 0.10)})",
        f"full stored {doc['stored']['full']} of {doc['pages']} articles "
        f"({mark(doc['stored']['full_all_stored'])}); cpu % {doc['cpu_percent']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="crawl throughput: bare Scrapy vs naive vs newscrawl")
    parser.add_argument("--pages", type=int, default=int(os.environ.get("PAGES", 20_000)))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--site-dir", type=Path, default=None, help="default: benchmarks/.site-<pages> (reused)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    parser.add_argument("--server", choices=("auto", "nginx", "fallback"), default="auto")
    parser.add_argument("--rate-seconds", type=float, default=5.0, help="how long to measure the server alone")
    args = parser.parse_args(argv)
    doc = benchmark(args.pages, args.seed, args.site_dir, args.out_dir, args.server, args.rate_seconds)
    print(summary(doc))
    print(f"results: {args.out_dir / 'throughput-latest.json'}")


if __name__ == "__main__":
    main()
