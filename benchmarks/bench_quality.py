"""Record quality on the shared dev sets, as the headline figures the quality gate checks.

Run: ``.venv/bin/python -m benchmarks.bench_quality [--out PATH] [--sets fundus,dates,...]``

Runs the shared scorer (``../shared/eval/score_sets.py``, or ``$NEWSCRAWL_SHARED/eval``) once
over every dev set with this checkout's ``newscrawl``, then keeps the headline figures of each
set, adds the ones the scorer does not print (fundus-dev "declared headline": the title equals
the gold title or one of the headlines the page declares; the share of rejected pages) and
writes them with the machine and the time to ``benchmarks/results/quality-latest.json``.
``tests/parsing/test_quality_gate.py`` compares the same figures with the floors in
``benchmarks/quality-floors.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.bench_extract import shared_dir

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "quality-latest.json"
FLOORS = ROOT / "benchmarks" / "quality-floors.json"


def _scorer() -> ModuleType:
    path = shared_dir() / "eval" / "score_sets.py"
    spec = importlib.util.spec_from_file_location("score_sets", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared_headline(scorer: ModuleType, per_page: dict[str, Any]) -> float:
    """fundus-dev: share of pages whose title is a headline the page declares (gold title or
    one of its ``title_alternatives``), compared as the scorer compares titles."""
    gold = json.loads((shared_dir() / "datasets" / "fundus-dev" / "gold.json").read_text(encoding="utf-8"))
    hits = 0
    for page in gold:
        got = scorer.norm_text((per_page.get(page["id"]) or {}).get("title_got"))
        declared = {scorer.norm_text(t) for t in [page["title"], *page.get("title_alternatives", [])]}
        hits += bool(got) and got in declared
    return hits / len(gold)


def headline_figures(report: dict[str, Any], scorer: ModuleType) -> dict[str, float]:
    """The figures the gate checks, flat: ``set.metric`` -> value."""
    out: dict[str, float] = {}
    sets = report["sets"]
    if "fundus" in sets:
        m = sets["fundus"]["metrics"]
        out.update({"fundus.body_f1": m["body_f1"], "fundus.persons": m["persons"], "fundus.date_day": m["date_day"],
                    "fundus.date_minute": m["date_minute"], "fundus.title": m["title"],
                    "fundus.declared_headline": _declared_headline(scorer, sets["fundus"]["per_page"]),
                    "fundus.rejected_share": m["rejected"] / m["pages"]})
    if "dates" in sets:
        m = sets["dates"]["metrics"]
        out.update({"dates.day_acc": m["day_acc"], "dates.wrong": m["wrong"],
                    "dates.rejected_share": m["rejected"] / m["pages"]})
    if "snippets" in sets:
        m = sets["snippets"]["metrics"]
        out.update({"snippets.F1": m["F1"], "snippets.P": m["P"], "snippets.R": m["R"],
                    "snippets.rejected_share": m["rejected"] / m["pages"]})
    if "aeb" in sets:
        m = sets["aeb"]["metrics"]
        out.update({"aeb.f1": m["f1"], "aeb.rejected_share": m["rejected"] / m["pages"]})
    return out


def measure(sets: str | None = None, cli: Path | None = None) -> dict[str, Any]:
    """Score the dev sets once; the full scorer report plus the headline figures."""
    scorer = _scorer()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.json"
        command = [sys.executable, str(shared_dir() / "eval" / "score_sets.py"), "--worst", "0", "--json", str(out),
                   "--cli", str(cli or ROOT / ".venv" / "bin" / "newscrawl")]
        if sets:
            command += ["--sets", sets]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=900)
        report = json.loads(out.read_text(encoding="utf-8"))
    return {"report": report, "figures": headline_figures(report, scorer)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the figures (JSON)")
    parser.add_argument("--sets", help="comma-separated subset of fundus,dates,snippets,aeb")
    args = parser.parse_args()
    result = measure(args.sets)
    floors = json.loads(FLOORS.read_text(encoding="utf-8")) if FLOORS.exists() else {}
    payload = {
        "benchmark": "quality on the shared dev sets (../shared/eval/score_sets.py)",
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "figures": result["figures"],
        "floors": floors,
        "metrics": {name: s["metrics"] for name, s in result["report"]["sets"].items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key, value in result["figures"].items():
        floor = floors.get(key, {}).get("min") if isinstance(floors.get(key), dict) else None
        mark = "" if floor is None else f"   (floor {floor})"
        print(f"{key:28} {value:.4f}{mark}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
