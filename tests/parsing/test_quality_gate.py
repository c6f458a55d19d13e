"""The quality gate: the dev sets are scored with the shared scorer and every headline figure
must stay at or above its floor in ``benchmarks/quality-floors.json`` (at or below, for counts
of wrong answers and shares of rejected pages). Floors only go up: raise one when a change
raises its figure, never lower one to pass.

The dev sets live in ``../shared`` beside the checkout (or ``$NEWSCRAWL_SHARED``). Outside CI
the test skips when they are not there; in CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import json
import os

import pytest

from benchmarks.bench_quality import FLOORS, measure, shared_dir

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    if not (shared_dir() / "eval" / "score_sets.py").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared dev sets are missing ({shared_dir()}): CI must score them")
        pytest.skip(f"no shared dev sets at {shared_dir()}")
    return measure()["figures"]


def _floors() -> dict[str, dict[str, float]]:
    return json.loads(FLOORS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(_floors()))
def test_figure_holds_its_floor(figures: dict[str, float], key: str) -> None:
    bound = _floors()[key]
    value = figures[key]
    if "min" in bound:
        assert value >= bound["min"], f"{key} fell to {value:.4f}, below its floor {bound['min']}"
    if "max" in bound:
        assert value <= bound["max"], f"{key} rose to {value:.4f}, above its ceiling {bound['max']}"


def test_every_floor_names_a_measured_figure(figures: dict[str, float]) -> None:
    assert set(_floors()) <= set(figures)
