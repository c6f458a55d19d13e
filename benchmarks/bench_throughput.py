"""Crawl throughput benchmark: bare Scrapy vs a naive build vs newscrawl, in one run.

``make bench`` (``make bench PAGES=N``) runs this. Steps:

1. generate (or reuse) a static news site of N article pages (``benchmarks.sitegen``);
2. serve it on 127.0.0.1 with nginx, or the asyncio fallback (``benchmarks.siteserver``),
   and measure the server's own rate so a reader can see it was not the bottleneck;
3. crawl the sitemap four times, each in a fresh process (``benchmarks.throughput_run``):
   ``bare`` (tuned empty callback: the ceiling), ``full`` (newscrawl's ``run_crawl``, fast
   profile, fresh SQLite file), ``bare`` again, then ``naive`` (trafilatura + a commit per
   item);
4. write ``benchmarks/results/throughput-<timestamp>.json`` and ``throughput-latest.json``
   and print a summary.

Why ratios: the machine is shared and its speed varies from run to run; the crawls of one
run see about the same machine, so c/a and c/b are comparable across runs where raw pages/s
are not. Why bare twice, right before and right after the full crawl (an A-B-A design): the
machine's speed also drifts within a run (bare Scrapy's CPU a page moved from 0.95 to 1.77 ms
between runs an hour apart, and a bare crawl seven minutes before the full one, with the
naive crawl between them, once read 0.95 ms where the full crawl's neighbours read ~1.25).
The full crawl is compared with the mean of the two bare crawls around it, so a drift during
the run cancels to first order instead of landing on one side of the ratio; both bare
crawls are kept in the result (``bare_runs``). Targets (issue 7, issue 15): c/a >= 0.3 at
20,000 pages, c/b >= 2.5, peak RSS of the full pipeline < 500 MB, RSS growth < 10% from 10k
to 20k pages, CPU a page of the full crawl <= 6.5 x bare's.

Run: ``.venv/bin/python -m benchmarks.bench_throughput --pages 20000``.
"""

from __future__ import annotations

import argparse
import json
import operator
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
#: the crawls of a run, in order: each (name, mode); the bare crawl brackets the full one
SEQUENCE = (("bare", "bare"), ("full", "full"), ("bare_after", "bare"), ("naive", "naive"))
TARGETS = {"ratio_full_bare": 0.3, "ratio_full_naive": 2.5, "peak_rss_mb": 500, "rss_growth_10k_20k": 0.10,
           "cpu_full_over_bare": 6.5}


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


def run_child(mode: str, sitemap: str, pages: int, workdir: Path, timeout: float, name: str | None = None
              ) -> dict[str, Any]:
    """One variant in a fresh interpreter; its log goes to ``workdir/<name>.log`` (``name``:
    the mode unless one mode runs twice)."""
    name = name or mode
    out = workdir / f"{name}.json"
    log = workdir / f"{name}.log"
    cmd = [sys.executable, "-m", "benchmarks.throughput_run", "--mode", mode, "--sitemap", sitemap,
           "--pages", str(pages), "--db", str(workdir / f"{name}.db"), "--out", str(out)]
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
            for name, mode in SEQUENCE:
                began = time.monotonic()
                runs[name] = run_child(mode, sitemap, pages, workdir, timeout, name)
                if not server.alive():
                    raise RuntimeError(f"the server died during the {name} crawl")
                r = runs[name]
                print(f"{name:>10}: {r['pages_per_s']:8.1f} pages/s  cpu {r['cpu_percent']:5.1f}%  "
                      f"{r['cpu_ms_per_page']} ms a page  peak rss {r['peak_rss_mb']:6.1f} MB  "
                      f"({r['responses']} responses in {r['elapsed_s']} s; "
                      f"{time.monotonic() - began:.0f} s with start-up)", flush=True)
    doc.update(figures(runs, pages))
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    (out_dir / f"throughput-{stamp}.json").write_text(text)
    (out_dir / "throughput-latest.json").write_text(text)
    return doc


def _mean(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round((a + b) / 2, 2)


def figures(runs: dict[str, dict[str, Any]], pages: int) -> dict[str, Any]:
    """The headline figures of a run's crawls (``runs``: by name, as ``SEQUENCE`` names them).

    Bare's pages/s and CPU a page are the means of the crawls before and after the full one
    (see the module's docstring); each is kept in ``bare_runs``."""
    before, after = runs["bare"], runs["bare_after"]
    merged = {
        "full": runs["full"],
        "naive": runs["naive"],
        "bare": {key: _mean(before[key], after[key]) for key in ("pages_per_s", "cpu_percent", "cpu_ms_per_page")}
        | {"peak_rss_mb": max(before["peak_rss_mb"], after["peak_rss_mb"])},
    }
    bare, naive, full = (merged[m]["pages_per_s"] for m in MODES)
    cpu = {m: merged[m]["cpu_ms_per_page"] for m in MODES}
    samples = runs["full"]["rss_samples"]
    low, high = (10_000, 20_000) if pages >= 20_000 else (max(1, pages // 2), pages)
    return {
        "bare": bare, "naive": naive, "full": full,
        "ratio_full_bare": round(full / bare, 3) if bare else None,
        "ratio_full_naive": round(full / naive, 3) if naive else None,
        "peak_rss_mb": runs["full"]["peak_rss_mb"],
        "cpu_percent": {m: merged[m]["cpu_percent"] for m in MODES},
        "cpu_ms_per_page": cpu,
        "cpu_full_over_bare": round(cpu["full"] / cpu["bare"], 2) if cpu["full"] and cpu["bare"] else None,
        "bare_runs": {name: {"pages_per_s": runs[name]["pages_per_s"], "cpu_ms_per_page": runs[name]["cpu_ms_per_page"]}
                      for name in ("bare", "bare_after")},
        "peak_rss_mb_by_run": {m: merged[m]["peak_rss_mb"] for m in MODES},
        "rss_samples": samples,
        "rss_growth": {"from": low, "to": high, "ratio": growth(samples, low, high)},
        "stored": {"full": runs["full"].get("stored"), "naive": runs["naive"].get("stored"),
                   "full_items_new": runs["full"]["stats"].get("newscrawl/items_new", 0),
                   "full_all_stored": runs["full"].get("stored") == pages},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
        "runs": runs,
    }


def summary(doc: dict[str, Any]) -> str:
    """A few lines a person reads after ``make bench``; each figure beside its target in
    ``TARGETS`` (as the result file records them)."""
    targets = doc["targets"]

    def against(value: float | None, key: str, op: str) -> str:
        target = targets[key]
        ok = None if value is None else _COMPARE[op](value, target)
        return f"target {op} {target}: {'?' if ok is None else ('ok' if ok else 'MISSED')}"

    growth_ratio = doc["rss_growth"]["ratio"]
    cpu = doc["cpu_ms_per_page"]
    before, after = (doc["bare_runs"][name]["cpu_ms_per_page"] for name in ("bare", "bare_after"))
    lines = [
        f"{doc['pages']} pages, server {doc['server']['kind']} "
        f"({doc['server']['requests_per_s'] or 0:,.0f} req/s), load {doc['machine']['load_average_at_start']}"
        f" -> {doc['load_average_at_end']}",
        f"pages/s: bare {doc['bare']}, naive {doc['naive']}, full {doc['full']}",
        f"full/bare {doc['ratio_full_bare']} ({against(doc['ratio_full_bare'], 'ratio_full_bare', '>=')}), "
        f"full/naive {doc['ratio_full_naive']} ({against(doc['ratio_full_naive'], 'ratio_full_naive', '>=')})",
        f"full: peak RSS {doc['peak_rss_mb']} MB ({against(doc['peak_rss_mb'], 'peak_rss_mb', '<')}), "
        f"RSS at {doc['rss_samples']}, growth {doc['rss_growth']['from']}->{doc['rss_growth']['to']}: "
        f"{growth_ratio} ({against(growth_ratio, 'rss_growth_10k_20k', '<')})",
        f"CPU a page: full {cpu['full']} ms, bare {cpu['bare']} ms (mean of {before} before and {after} after): "
        f"{doc['cpu_full_over_bare']}x ({against(doc['cpu_full_over_bare'], 'cpu_full_over_bare', '<=')})",
        f"full stored {doc['stored']['full']} of {doc['pages']} articles "
        f"({'ok' if doc['stored']['full_all_stored'] else 'MISSED'}); cpu % {doc['cpu_percent']}",
    ]
    return "\n".join(lines)


_COMPARE = {">=": operator.ge, "<": operator.lt, "<=": operator.le}


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
