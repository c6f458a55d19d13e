"""Streaming, atomic exporters: CSV, JSON (array), JSON Lines and HTML.

Records are written one at a time as they stream from the database, so memory stays flat
however many there are. With a target file the output goes to a temporary file beside it
and replaces the target only when complete: an interrupted export leaves the old file.
CSV cells that a spreadsheet would run as a formula (= + - @, tab, CR) get a leading ``'``.

HTML is for republishing: every record's ``body_html`` is sanitised again on the way out
(a row written by an older version, or edited in the database, gets the same treatment as
a fresh one), every other field is escaped, and the page carries a Content-Security-Policy
that allows no script at all, as a second fence.
"""

from __future__ import annotations

import csv
import html
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from crawler.parsing.record import FIELD_NAMES, Record
from crawler.parsing.sanitize import absolute_url, sanitize_html

FORMATS = ("csv", "json", "jsonl", "html")
CSP = "default-src 'none'; img-src http: https:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
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
    elif fmt == "html":
        count = write_html(records, out)
    else:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return count


def record_html(record: Record) -> str:
    """One record as an ``<article>`` fragment: escaped fields, sanitised body, attribution."""
    esc = html.escape
    parts = [f'<article id="record-{esc(str(record.id or ""))}" lang="{esc(record.language or "")}">',
             f"<h1>{esc(record.title)}</h1>"]
    meta = []
    link = absolute_url(record.canonical_url, None)
    meta.append(f'<a href="{esc(link)}" rel="noopener noreferrer nofollow">{esc(record.site)}</a>' if link
                else esc(record.site))
    if record.published_at:
        meta.append(f'<time datetime="{esc(record.published_at)}">{esc(record.published_at)}</time>')
    if record.authors:
        meta.append(esc(", ".join(record.authors)))
    if record.source and (record.source.line or record.source.name):
        meta.append(esc(record.source.line or record.source.name or ""))
    parts.append('<p class="meta">' + " · ".join(meta) + "</p>")
    if record.summary:
        parts.append(f'<p class="summary">{esc(record.summary)}</p>')
    body = sanitize_html(record.body_html, record.url)
    if body is None:
        body = "\n".join(f"<p>{esc(block)}</p>" for block in record.body_blocks)
    parts.append(f'<div class="body">\n{body}\n</div>')
    parts.append("</article>")
    return "\n".join(parts)


def write_html(records: Iterable[Record], out: IO[str], csp: bool = True) -> int:
    """A standalone HTML page of ``records``; ``csp=False`` leaves the policy out (what a
    republisher pasting the fragments into their own page gets)."""
    head = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8">']
    if csp:
        head.append(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    head += ['<meta name="referrer" content="no-referrer">', "<title>newscrawl export</title>",
             "<style>body{max-width:46em;margin:auto;font-family:sans-serif}"
             "article{border-bottom:1px solid #ccc}img{max-width:100%}.meta{color:#666}</style>",
             "</head><body>"]
    out.write("\n".join(head) + "\n")
    count = 0
    for record in records:
        out.write(record_html(record) + "\n")
        count += 1
    out.write("</body></html>\n")
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
