"""The garbage-collector tuning of crawl and store processes (``crawler.speed.gctune``).

Why: full collections took ~16% of the crawl process's CPU on the benchmark crawl; the
tuning must apply what the setting says, refuse a malformed setting with a clear message,
and leave a process that goes on running (a test run, a scheduler) as it found it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from crawler import storewriter
from crawler.speed.gctune import DEFAULT_THRESHOLD, GcTuningExtension, parse_threshold, tune
from storage.db import connect


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.parametrize(("value", "expected"), [
    ("10000,20,20", (10000, 20, 20)), (" 5000 , 10 ", (5000, 10)), ([700, 10, 10], (700, 10, 10)),
    ((50000,), (50000,)), (None, None), ("", None), ("off", None), ("default", None),
])
def test_parse_threshold(value: object, expected: object) -> None:
    assert parse_threshold(value) == expected


@pytest.mark.parametrize("value", ["10000,x", "0,10,10", "-1", "1,2,3,4", [10000, 20, 20, 5]])
def test_parse_threshold_refuses_malformed_values(value: object) -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_GC_THRESHOLD must be 1-3 positive integers"):
        parse_threshold(value)


def test_tune_freezes_survivors_and_restore_puts_the_collector_back(collector: None) -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    restore = tune((12345, 7, 9))
    assert gc.get_threshold() == (12345, 7, 9)
    assert gc.get_freeze_count() > 1000  # at least the imported modules' objects
    restore()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_extension_tunes_on_engine_start_and_restores_on_stop(collector: None) -> None:
    class Stats(dict):
        def set_value(self, key: str, value: object) -> None:
            self[key] = value

    before = gc.get_threshold()
    ext = GcTuningExtension(DEFAULT_THRESHOLD, Stats())
    ext.started()
    assert gc.get_threshold() == DEFAULT_THRESHOLD
    assert ext.stats["newscrawl/gc_frozen"] == gc.get_freeze_count() > 1000
    ext.started()  # a second engine_started changes nothing
    ext.stopped()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    ext.stopped()  # and a second stop is harmless
    assert gc.get_threshold() == before


def test_store_process_initializer_tunes_its_collector(tmp_path, collector: None) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    connect(url).dispose()  # the crawl process migrates; the store process only opens
    storewriter._open(url, None, (22222, 5, 5))
    try:
        assert gc.get_threshold() == (22222, 5, 5)
        assert gc.get_freeze_count() > 1000
    finally:
        storewriter._close()
        storewriter._WRITER = None


def test_threshold_setting_reads_scrapy_settings() -> None:
    from scrapy.settings import Settings

    from crawler.speed.gctune import threshold_setting

    assert threshold_setting(Settings()) == DEFAULT_THRESHOLD
    assert threshold_setting(Settings({"NEWSCRAWL_GC_THRESHOLD": "off"})) is None
    assert threshold_setting(Settings({"NEWSCRAWL_GC_THRESHOLD": "5000,5"})) == (5000, 5)
