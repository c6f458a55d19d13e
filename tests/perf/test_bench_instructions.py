"""The instruction-count benchmark (``make bench-ir``) at a tiny size.

Why: its one promise is a figure that does not move with the machine's load, so that two
builds compare exactly on a shared machine. This runs it twice on four pages and holds the
two counts to each other, and checks what it writes and the ratio to a baseline.

It needs valgrind: outside CI it skips when valgrind is missing; with CI=true it fails
instead (``.ci/run`` installs it), so CI cannot pass without running it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from benchmarks import bench_instructions

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def valgrind() -> None:
    if shutil.which("valgrind") is None:
        if IN_CI:
            pytest.fail("valgrind is not installed (.ci/run installs it: apt-get install valgrind)")
        pytest.skip("valgrind is not installed (apt-get install valgrind)")


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("valgrind")
def test_counts_are_the_same_on_every_run_and_land_in_the_result_file(tmp_path: Path) -> None:
    out = tmp_path / "instructions.json"
    # (what is left of start-up's variation, ~0.4 M instructions a run, is spread over the
    # counted parses: 8 here, 80 in a default run)
    first = bench_instructions.main(["--pages", "4", "--reps", "2", "--out", str(out)])
    second = bench_instructions.measure(4, 2)
    assert first is not None
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["instructions_per_page_m"] == first["instructions_per_page_m"]
    # a generated article takes tens of millions of instructions: a figure far off means the
    # subtraction or the child's passes went wrong
    assert 5 < first["instructions_per_page_m"] < 500, first
    assert first["instructions"]["with_reps"] > first["instructions"]["without_reps"]
    a, b = first["instructions_per_page_m"], second["instructions_per_page_m"]
    assert abs(a - b) / a < 0.01, (a, b)


def test_the_ratio_to_a_baseline_is_the_quotient_of_the_two_figures() -> None:
    result = {"instructions_per_page_m": 27.0, "timestamp": "now"}
    compared = bench_instructions.with_baseline(result, {"instructions_per_page_m": 30.0, "timestamp": "then"})
    assert compared["ratio_to_baseline"] == 0.9
    assert compared["baseline"] == {"instructions_per_page_m": 30.0, "timestamp": "then"}


def test_without_valgrind_it_says_so_and_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(bench_instructions.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as stopped:
        bench_instructions.main(["--out", str(tmp_path / "x.json")])
    assert stopped.value.code == 2
    assert "valgrind is not installed" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
