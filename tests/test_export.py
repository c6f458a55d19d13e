"""Exporters: CSV (formula-safe, flattened, optional BOM), JSON array, JSON Lines; atomic files."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from crawler.parsing import parse_article
from storage.export import atomic_output, write_records
from tests.conftest import FIXTURES, SEED_URL

SCHEMA = json.loads((FIXTURES / "record.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def records(seed_page: bytes):
    seed = parse_article(seed_page, SEED_URL)
    evil = replace(seed, url="http://zixun.example.com/2.html", canonical_url="http://zixun.example.com/2.html",
                   title='=HYPERLINK("http://evil.example/","click")', tags=["+1", "@cmd"])
    return [seed, evil]


def test_jsonl_lines_validate(records) -> None:
    out = io.StringIO()
    assert write_records(records, "jsonl", out) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        jsonschema.validate(json.loads(line), SCHEMA)


def test_json_is_one_array(records) -> None:
    out = io.StringIO()
    write_records(records, "json", out)
    data = json.loads(out.getvalue())
    assert [d["url"] for d in data] == [r.url for r in records]
    empty = io.StringIO()
    write_records([], "json", empty)
    assert json.loads(empty.getvalue()) == []


def test_csv_escapes_formulas_and_flattens_lists(records) -> None:
    out = io.StringIO()
    write_records(records, "csv", out, bom=True)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["breadcrumb"] == "首页 > 9"
    assert rows[0]["source_name"] == "APPSO"
    assert rows[1]["title"].startswith("'=HYPERLINK")
    assert rows[1]["tags"] == "'+1 | @cmd"
    assert "\n" in rows[0]["body_text"]


def test_unknown_format_is_refused(records) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_records(records, "xml", io.StringIO())


def test_interrupted_export_keeps_the_old_file(tmp_path: Path, records) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def exploding():
        yield records[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), atomic_output(str(target)) as handle:
        write_records(exploding(), "jsonl", handle)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(str(target)) as handle:
        write_records(records, "jsonl", handle)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2
