"""Streaming, atomic exporters: CSV, JSON (array), JSON Lines, Atom and HTML.

Records are written one at a time as they stream from the database, so memory stays flat
however many there are. With a target file the output goes to a temporary file beside it
and replaces the target only when complete: an interrupted export leaves the old file.
CSV cells that a spreadsheet would run as a formula (= + - @, tab, CR) get a leading ``'``.

HTML is for republishing: the meta line shows the date as the page wrote it
(``published_raw``, else ``published_at``; the machine value in ``<time datetime>``) and marks
a paywalled record. Every record's ``body_html`` is sanitised again on the way out
(a row written by an older version, or edited in the database, gets the same treatment as
a fresh one), every other field is escaped, and the page carries a Content-Security-Policy
that allows no script at all, as a second fence.

Atom (RFC 4287) is for republishing too: one entry per record with the sanitised body as
``content type="html"`` followed by a visible attribution line, the original page as the
``alternate`` link, the authors (else the source, else the site) as ``author``, the
original publisher in ``source`` and ``rights``, the canonical URL as the permanent entry
id and ``updated`` from modified_at, published_at or fetched_at (RFC 3339).

CSV flattening (documented in the README): lists are joined with `` | `` (authors, tags,
image URLs), the breadcrumb with `` > ``, ``source`` becomes two columns (``source_name``
and ``source``, the attribution line); empty values are empty cells. The columns come in
the schema's order (``csv_columns``), or in the order ``--fields`` names them.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from storage.record import FIELD_NAMES, Record
from storage.sanitize import absolute_url, sanitize_html

FORMATS = ("csv", "json", "jsonl", "atom", "html")
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


def check_fields(fields: Sequence[str], fmt: str) -> list[str]:
    """The columns (CSV) or keys (JSON) a user chose, in their order; ``ValueError`` naming
    the valid ones for an unknown name, a repeated one, or a format that has no columns."""
    if fmt not in ("csv", "json", "jsonl"):
        raise ValueError(f"fields can be chosen for csv, json and jsonl, not {fmt}")
    valid = csv_columns() if fmt == "csv" else list(FIELD_NAMES)
    chosen = [name.strip() for name in fields if name.strip()]
    if not chosen:
        raise ValueError("no fields given")
    for name in chosen:
        if name not in valid:
            raise ValueError(f"unknown field {name!r} (choose from {', '.join(valid)})")
    if len(set(chosen)) != len(chosen):
        raise ValueError("a field is named twice")
    return chosen


def write_records(records: Iterable[Record], fmt: str, out: IO[str], bom: bool = False,
                  feed: dict[str, Any] | None = None, fields: Sequence[str] | None = None) -> int:
    """Write ``records`` to ``out`` in ``fmt``; returns how many were written. ``feed``:
    keyword arguments of ``write_atom`` (feed_id, title, self_url, updated). ``fields``: only
    these columns (CSV) or keys (JSON), in this order (``check_fields``); default every field
    in the schema's order (CSV: ``csv_columns``)."""
    count = 0
    chosen = check_fields(fields, fmt) if fields else None

    def data(record: Record) -> dict[str, Any]:
        full = record.to_dict()
        return {name: full[name] for name in chosen} if chosen else full

    if fmt == "csv":
        if bom:
            out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=chosen or csv_columns(), lineterminator="\r\n",
                                extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow(flatten(record))
            count += 1
    elif fmt == "jsonl":
        for record in records:
            out.write(json.dumps(data(record), ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for record in records:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(data(record), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "html":
        count = write_html(records, out)
    elif fmt == "atom":
        count = write_atom(records, out, **(feed or {}))
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
        # the date as the page wrote it where the record has it (``Samstag, 9. September 2017``)
        shown = record.published_raw or record.published_at
        meta.append(f'<time datetime="{esc(record.published_at)}">{esc(shown)}</time>')
    if record.authors:
        meta.append(esc(", ".join(record.authors)))
    if record.source and (record.source.line or record.source.name):
        meta.append(esc(record.source.line or record.source.name or ""))
    if record.paywalled:
        meta.append('<span class="paywalled">paywalled</span>')
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


# --- Atom ---------------------------------------------------------------------------------

ATOM_NS = "http://www.w3.org/2005/Atom"
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    return html.escape(_XML_ILLEGAL.sub("", str(value)), quote=True)


def rfc3339(value: str | None) -> str | None:
    """An ISO 8601 time as RFC 3339 with an offset (naive times are taken as UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _site_root(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else None


def attribution(record: Record) -> tuple[str, str]:
    """(who published it first, the line to show): the source when the page names one, else
    the site."""
    source = record.source
    publisher = (source.name if source and source.name else None) or record.site
    line = f"Originally published by {publisher}"
    if source and source.line and source.line != publisher:
        line += f" ({source.line})"
    return publisher, line


def deleted_entry(record: Record, fallback_updated: str) -> str:
    """An RFC 6721 tombstone for a record whose page was taken down: same ``ref`` as the
    entry it replaces (the canonical URL), ``when`` it was noticed; feed readers drop it."""
    link = absolute_url(record.canonical_url, None) or absolute_url(record.url, None) or record.canonical_url
    when = rfc3339(record.removed_at) or fallback_updated
    return (f'<at:deleted-entry ref="{xml_text(link)}" when="{when}">'
            f'<link rel="alternate" type="text/html" href="{xml_text(link)}"/>'
            "<at:comment>the publisher took this article down</at:comment></at:deleted-entry>")


def atom_entry(record: Record, fallback_updated: str) -> str:
    esc = xml_text
    link = absolute_url(record.canonical_url, None) or absolute_url(record.url, None) or record.canonical_url
    updated = (rfc3339(record.modified_at) or rfc3339(record.published_at) or rfc3339(record.fetched_at)
               or fallback_updated)
    published = rfc3339(record.published_at)
    publisher, line = attribution(record)
    body = sanitize_html(record.body_html, record.url)
    if body is None:
        body = "\n".join(f"<p>{html.escape(block)}</p>" for block in record.body_blocks)
    credit = (f'<p class="attribution">{html.escape(line)}: '
              f'<a href="{html.escape(link)}" rel="noopener noreferrer">{html.escape(record.title)}</a></p>')
    lang = f' xml:lang="{esc(record.language)}"' if record.language else ""
    parts = [f"<entry{lang}>", f"<id>{esc(link)}</id>", f'<title type="text">{esc(record.title)}</title>',
             f"<updated>{updated}</updated>"]
    if published:
        parts.append(f"<published>{published}</published>")
    for name in record.authors or [publisher]:
        parts.append(f"<author><name>{esc(name)}</name></author>")
    parts.append(f'<link rel="alternate" type="text/html" href="{esc(link)}"/>')
    for term in dict.fromkeys([c for c in [record.category, *record.tags] if c]):
        parts.append(f'<category term="{esc(term)}"/>')
    if record.summary:
        parts.append(f'<summary type="text">{esc(record.summary)}</summary>')
    parts.append(f'<content type="html">{esc(body + chr(10) + credit)}</content>')
    parts.append(f"<rights>{esc(line)}; original: {esc(link)}</rights>")
    root = _site_root(link)
    if root:
        parts.append(f"<source><id>{esc(root)}</id><title>{esc(publisher)}</title>"
                     f'<link rel="alternate" type="text/html" href="{esc(root)}"/></source>')
    parts.append("</entry>")
    return "\n".join(parts)


def write_atom(records: Iterable[Record], out: IO[str], feed_id: str = "urn:newscrawl:export",
               title: str = "newscrawl export", self_url: str | None = None, updated: str | None = None) -> int:
    """An Atom 1.0 feed of ``records``, written as they stream; a record whose page was taken
    down (``removed_at``) is an RFC 6721 deleted entry. The feed's ``updated`` is the time
    of the export unless given."""
    updated = updated or now_rfc3339()
    head = ['<?xml version="1.0" encoding="utf-8"?>', f'<feed xmlns="{ATOM_NS}" xmlns:at="{TOMBSTONES_NS}">',
            f"<id>{xml_text(feed_id)}</id>",
            f'<title type="text">{xml_text(title)}</title>', f"<updated>{updated}</updated>",
            "<generator>newscrawl</generator>"]
    if self_url:
        head.append(f'<link rel="self" type="application/atom+xml" href="{xml_text(self_url)}"/>')
    out.write("\n".join(head) + "\n")
    count = 0
    for record in records:
        out.write((deleted_entry(record, updated) if record.removed_at else atom_entry(record, updated)) + "\n")
        count += 1
    out.write("</feed>\n")
    return count


# --- progress -------------------------------------------------------------------------------


def with_progress(records: Iterable[Record], stream: IO[str] | None, every: float = 0.25,
                  label: str = "exported") -> Iterator[Record]:
    """Pass ``records`` through, showing ``N records, R/s`` on ``stream`` (a terminal) at most
    every ``every`` seconds and a last line at the end; ``stream=None`` stays quiet."""
    if stream is None:
        yield from records
        return
    start = last = time.monotonic()
    count = 0
    for record in records:
        yield record
        count += 1
        now = time.monotonic()
        if now - last >= every:
            last = now
            stream.write(f"\r{label} {count:,} records, {count / max(now - start, 1e-9):,.0f}/s ")
            stream.flush()
    elapsed = time.monotonic() - start
    stream.write(f"\r{label} {count:,} records in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f}/s)\n")
    stream.flush()


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
