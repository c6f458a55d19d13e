"""Instructions a parse worker executes per page, counted by valgrind (callgrind): the
parser's CPU cost as a number that does not move with the machine's load.

Why: this machine kind is a shared virtual machine. The same code measured 4.8 to 6.7 ms a
page with ``benchmarks.bench_parse`` within one hour, and two builds run side by side swapped
places from one run to the next, so a change worth 2-5% cannot be seen in CPU time. An
instruction count is the same on every run of the same code to within ~0.5% (the hash seed
is fixed, numpy starts no BLAS threads): two builds measured one after the other compare,
on any machine with valgrind.

What is counted: ``crawler.article.process_page``, what each parse worker of a crawl runs for
an article page (decode, parse, every field, cleaning, the near-duplicate signature), over the
generated benchmark site's articles (``benchmarks.sitegen``, the pages ``make bench`` crawls).
Two runs under callgrind differ only in how many times they parse the pages after a warm-up
pass (``--reps`` and none), so start-up, imports and first-use caches cancel out:
instructions per page = (count(reps) - count(0)) / (reps x pages). Both runs go in parallel.

Run: ``make bench-ir`` or ``.venv/bin/python -m benchmarks.bench_instructions [--pages N]
[--reps N] [--baseline PATH] [--out PATH]``. Results go to
``benchmarks/results/instructions-latest.json``; ``--baseline`` (an earlier result file, e.g.
one measured on the commit before a change) adds the ratio to it. Needs valgrind
(``apt-get install valgrind``); a callgrind run is ~50 times slower than a native one.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "instructions-latest.json"
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


class ValgrindMissing(RuntimeError):
    """valgrind is not installed."""


def child(pages: int, reps: int) -> None:
    """The measured program: parse the pages once (warm-up), then, with the collector set up as a
    parse worker's (``crawler.speed.gctune``: collect, freeze, the crawl's thresholds), ``reps``
    more times. Without it, whether a full collection of every imported object falls inside the
    counted passes changed the count by up to 10% a page on a two-page run."""
    from benchmarks.bench_parse import FETCHED, site_pages
    from crawler.article import process_page
    from crawler.parsing import ParseOptions
    from crawler.speed.gctune import DEFAULT_THRESHOLD, tune

    corpus = site_pages(pages)
    options = ParseOptions()
    for repeat in range(1 + reps):
        for html, url in corpus:
            process_page(html, url, options, FETCHED, 200, None, True, False)
        if repeat == 0:
            tune(DEFAULT_THRESHOLD)


def count(pages: int, reps: int, valgrind: str) -> int:
    """Instructions callgrind counted for one child run."""
    with tempfile.TemporaryDirectory(prefix="newscrawl-ir-") as tmp:
        cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
               sys.executable, "-m", "benchmarks.bench_instructions", "--child", "--pages", str(pages),
               "--reps", str(reps)]
        # A fixed hash seed, and numpy's BLAS without its thread pool: its threads spin while
        # they start, a different number of instructions each run (~6 M of a 2.6 G run).
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1"}
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    found = _COLLECTED.findall(proc.stderr)
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"callgrind run failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return int(found[-1])


def measure(pages: int, reps: int) -> dict[str, Any]:
    """Instructions per page, from a run with ``reps`` extra passes and one with none."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise ValgrindMissing("valgrind is not installed (apt-get install valgrind)")
    started = time.monotonic()
    # The two runs start together: in a fresh checkout whichever imports a module first would
    # compile it and write its .pyc, the other might read it, and the compile would no longer
    # cancel out (a clean clone's two counts once differed by 1.05%). Compiled here first, both
    # read the same bytecode.
    for package in ("crawler", "storage", "benchmarks"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        base, full = pool.map(lambda r: count(pages, r, valgrind), (0, reps))
    version = subprocess.run([valgrind, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "pages": pages, "reps": reps,
        "instructions_per_page_m": round((full - base) / (reps * pages) / 1e6, 3),
        "instructions": {"without_reps": base, "with_reps": full},
        "seconds": round(time.monotonic() - started, 1),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "valgrind": version},
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def with_baseline(result: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """``result`` plus the baseline's figure and the ratio to it (below 1: fewer instructions)."""
    before = baseline["instructions_per_page_m"]
    return {**result, "baseline": {"instructions_per_page_m": before, "timestamp": baseline.get("timestamp")},
            "ratio_to_baseline": round(result["instructions_per_page_m"] / before, 4) if before else None}


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40, help="generated site articles parsed per pass (default 40)")
    ap.add_argument("--reps", type=int, default=2, help="passes counted after the warm-up pass (default 2)")
    ap.add_argument("--baseline", type=Path, help="an earlier result file: adds the ratio to it")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:  # (with --reps 0: the warm-up pass alone)
        child(args.pages, args.reps)
        return None
    if args.pages < 1 or args.reps < 1:
        ap.error("--pages and --reps must be at least 1")
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    try:
        result = measure(args.pages, args.reps)
    except ValgrindMissing as exc:
        print(f"bench_instructions: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if baseline is not None:
        result = with_baseline(result, baseline)
    line = f"{result['instructions_per_page_m']:.3f} M instructions a page ({args.pages} pages x {args.reps})"
    if "ratio_to_baseline" in result:
        line += f"; {result['ratio_to_baseline']:.4f} x the baseline's {result['baseline']['instructions_per_page_m']}"
    print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
