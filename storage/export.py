"""Streaming, atomic exporters: CSV, JSON (array) and JSON Lines.

Records are written one at a time as they stream from the database, so memory stays flat
however many there are. With a target file the output goes to a temporary file beside it
and replaces the target only when complete: an interrupted export leaves the old file.
CSV cells that a spreadsheet would run as a formula (= + - @, tab, CR) get a leading ``'``.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from crawler.parsing.record import FIELD_NAMES, Record

FORMATS = ("csv", "json", "jsonl")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def flatten(record: Record) -> dict[str, Any]:
    """One CSV row: lists joined with `` | ``, the breadcrumb with `` > ``, source as its name and line."""
    data = record.to_dict()
    row: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = data[name]
        if name == "breadcrumb":
            value = " > ".join(c["name"] for c in value)
        elif name == "images":
            value = " | ".join(i["src"] for i in value)
        elif name == "source":
            row["source_name"] = (value or {}).get("name")
            value = (value or {}).get("line")
        elif isinstance(value, list):
            value = " | ".join(value)
        row[name] = value
    return {k: escape_formula(v) if isinstance(v, str) else ("" if v is None else v) for k, v in row.items()}


def csv_columns() -> list[str]:
    cols = list(FIELD_NAMES)
    cols.insert(cols.index("source"), "source_name")
    return cols


def write_records(records: Iterable[Record], fmt: str, out: IO[str], bom: bool = False) -> int:
    """Write ``records`` to ``out`` in ``fmt``; returns how many were written."""
    count = 0
    if fmt == "csv":
        if bom:
            out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=csv_columns(), lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            writer.writerow(flatten(record))
            count += 1
    elif fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for record in records:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(record.to_dict(), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    else:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return count


@contextmanager
def atomic_output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a temp file renamed over ``path`` only when the block completes."""
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
