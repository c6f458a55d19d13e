"""``newscrawl parse --pages`` and a manifest line's ``pages``: the pages of one article merged
into one record, as the crawl stores it; a page given alone stays one page (nothing is fetched)."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES
from tests.helpers import multipage as mp
from tests.helpers.cli import newscrawl

PAGES = FIXTURES / "multipage"
URL = "http://news.example.cn/news/1001.html"
FILES = [str(PAGES / name) for name in ("1001.html", "1001_2.html", "1001_3.html")]


def test_pages_flag_and_manifest_pages_give_the_same_merged_record() -> None:
    flag = newscrawl("parse", "--pages", "--url", URL, "--fetched-at", "2025-04-02T12:00:00+08:00", *FILES)
    manifest = newscrawl("parse", "--manifest", str(PAGES / "manifest.jsonl"))
    assert flag.returncode == 0 and manifest.returncode == 0, flag.stderr + manifest.stderr
    merged, listed = json.loads(flag.stdout), json.loads(manifest.stdout)
    assert merged["page_count"] == 3 and merged["url"] == URL
    text = merged["body_text"]
    assert text.index(mp.ZH_PARAGRAPHS[0][0]) < text.index(mp.ZH_PARAGRAPHS[1][0]) < text.index(mp.ZH_PARAGRAPHS[2][0])
    assert {k: v for k, v in listed.items() if k != "input"} == {k: v for k, v in merged.items() if k != "input"}


def test_without_pages_each_file_is_its_own_page() -> None:
    run = newscrawl("parse", "--url", URL, FILES[0])
    line = json.loads(run.stdout)
    assert line["page_count"] is None and mp.ZH_PARAGRAPHS[1][0] not in line["body_text"]
