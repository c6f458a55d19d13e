"""The shared dev sets (``../shared/datasets``) as pages to parse: every set the scorer reads
(fundus-dev, dates-dev, snippets-dev, aeb-dev, each gzip'd, with its URL) and zh-dev (plain
HTML), read the way ``../shared/eval/score_sets.py`` reads them; a page without a URL gets its
file's ``file://`` URI, as ``newscrawl parse`` gives it.

Tests that check a property of every parsed dev page (not a score) iterate ``dev_pages``;
``shared_or_skip`` skips such a test when ../shared is absent, except in CI where it fails.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

SHARED = Path(os.environ.get("NEWSCRAWL_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")
DATASETS = SHARED / "datasets"
# (folder, page list); the gold lists name each page's path and URL
_GOLD_SETS = ("fundus-dev", "dates-dev", "snippets-dev")


@dataclass(frozen=True)
class DevPage:
    """One dev-set page: which set, its id there, the URL it was fetched from, its file."""

    dataset: str
    id: str
    url: str
    path: Path

    def html(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data


def shared_or_skip() -> None:
    """Skip the calling test when the dev sets are not there; in CI (``CI=true``) fail."""
    if DATASETS.is_dir():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the shared dev sets are missing ({DATASETS}): CI must check them")
    pytest.skip(f"no shared dev sets at {DATASETS}")


def dev_pages() -> Iterator[DevPage]:
    """Every page of every dev set, set by set."""
    for name in _GOLD_SETS:
        folder = DATASETS / name
        for entry in json.loads((folder / "gold.json").read_text(encoding="utf-8")):
            yield DevPage(name, str(entry["id"]), entry.get("url") or (folder / entry["path"]).resolve().as_uri(),
                          folder / entry["path"])
    aeb = DATASETS / "aeb-dev"
    for key, item in json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8")).items():
        path = aeb / "html" / f"{key}.html.gz"
        yield DevPage("aeb-dev", key, item.get("url") or path.resolve().as_uri(), path)
    for path in sorted((DATASETS / "zh-dev").glob("*.html")):
        yield DevPage("zh-dev", path.stem, path.resolve().as_uri(), path)


def map_dev_pages(check: Callable[[DevPage], T]) -> list[T]:
    """``check`` of every dev page, in ``dev_pages`` order, spread over one process per CPU:
    parsing ~1,200 open-web pages takes half a minute on one core. ``check`` must be a
    module-level function (it is sent to spawned processes by name)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pages = list(dev_pages())
    workers = max(1, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(check, pages, chunksize=16))
