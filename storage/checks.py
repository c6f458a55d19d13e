"""What the store refuses: records that break record.schema.json or that the two backends
would store differently.

The check runs on every item of a batch before the transaction opens, so a bad record
fails the whole call with one clear ``InvalidRecord`` naming the URL, the field and the
problem, and nothing of the batch is written. The crawl asks the same before a record
reaches the store (``crawler.article.article_problem``), so there a bad record becomes a
reject instead.

Beyond the schema's types it refuses what SQLite and PostgreSQL disagree on: NUL bytes
(PostgreSQL rejects them in text, SQLite keeps them), lone surrogates (not encodable as
UTF-8), strings longer than their VARCHAR column (PostgreSQL errors, SQLite truncates
nothing) and integers outside 32 bits (PostgreSQL INTEGER).
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from storage.errors import StorageError
from storage.record import PARTS, Crumb, Image, Record, Source

_BAD_CHARS = re.compile(r"[\x00\ud800-\udfff]")
INT32 = (-(2**31), 2**31 - 1)
MAX_LENGTH = {"canonical_url": 2048, "site": 255, "title_spam_prefix": 255, "category": 255,
              "published_at": 40, "modified_at": 40, "language": 16, "content_hash": 64, "fetched_at": 40}
REQUIRED = ("url", "canonical_url", "site", "title", "body_text", "fetched_at")
OPTIONAL_STR = ("title_raw", "title_spam_prefix", "category", "published_at", "modified_at", "summary",
                "body_html", "language", "content_hash")
OPTIONAL_INT = ("comment_count", "view_count", "http_status")


class InvalidRecord(StorageError):
    """A record the store will not write; the message says which record, field and why,
    ``problem`` says only why (the reason a reject is stored with)."""

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem or message


def _has_bad_chars(value: str) -> bool:
    """Whether ``value`` holds a NUL byte or a lone surrogate, found by C-level work instead
    of ``_BAD_CHARS``, whose character class costs ~10 ns a character (every record's body
    text and HTML pass here). An ASCII string (``isascii`` reads a flag of the string) can
    only hold NUL; any other is encoded as UTF-8, which refuses a lone surrogate and keeps
    NUL as the byte 0."""
    if value.isascii():
        return "\x00" in value
    try:
        return b"\x00" in value.encode("utf-8")
    except UnicodeEncodeError:  # only a surrogate is not encodable
        return True


def _has_bad_chars_plain(value: str) -> bool:
    """The readable form; _has_bad_chars must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return _BAD_CHARS.search(value) is not None



def _bad_text(value: str) -> str | None:
    if not _has_bad_chars(value):
        return None
    match = _BAD_CHARS.search(value)
    if match is None:
        return None
    what = "a NUL byte" if match.group() == "\x00" else "a lone surrogate"
    return f"contains {what} at position {match.start()}"


_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (Record, *PARTS)}


def _first_bad_text(value: Any, path: str) -> str | None:
    """``path problem`` for the first string under ``value`` with a NUL byte or lone
    surrogate, else None. Paths are only built for the culprit: this runs on every record."""
    if isinstance(value, str):
        return f"{path} {problem}" if (problem := _bad_text(value)) else None
    if isinstance(value, list):
        for i, v in enumerate(value):
            if found := _first_bad_text(v, f"{path}[{i}]"):
                return found
    elif isinstance(value, dict):
        for k, v in value.items():
            if found := _first_bad_text(v, f"{path}.{k}"):
                return found
    elif isinstance(value, PARTS):
        for name in _FIELD_NAMES.get(type(value)) or tuple(f.name for f in fields(value)):
            if found := _first_bad_text(getattr(value, name), f"{path}.{name}"):
                return found
    return None


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def record_problem(record: Any) -> str | None:
    """The first reason ``record`` cannot be stored, or None when it can."""
    if not isinstance(record, Record):
        return f"not a Record but {type(record).__name__}"
    for name in REQUIRED:
        value = getattr(record, name)
        if not isinstance(value, str) or not value.strip():
            return f"{name} is required and must be a non-empty string (got {value!r:.40})"
    for name in ("url", "canonical_url"):
        if not _is_http_url(getattr(record, name)):
            return f"{name} is not an absolute http(s) URL: {getattr(record, name)!r:.80}"
    for name in OPTIONAL_STR:
        value = getattr(record, name)
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string or null (got {type(value).__name__})"
    for name in OPTIONAL_INT:
        value = getattr(record, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"{name} must be an integer or null (got {type(value).__name__})"
        if value is not None and not INT32[0] <= value <= INT32[1]:
            return f"{name} is out of range ({value})"
    if record.summary_truncated is not None and not isinstance(record.summary_truncated, bool):
        return "summary_truncated must be true, false or null"
    for name in ("authors", "tags"):
        value = getattr(record, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{name} must be a list of strings"
    if not isinstance(record.breadcrumb, list) or not all(
            isinstance(c, Crumb) and isinstance(c.name, str) and isinstance(c.url, str | None)
            for c in record.breadcrumb):
        return "breadcrumb must be a list of {name, url} crumbs"
    if not isinstance(record.images, list) or not all(
            isinstance(i, Image) and isinstance(i.src, str) and i.src for i in record.images):
        return "images must be a list of {src, alt, caption} with a src"
    if record.source is not None and not isinstance(record.source, Source):
        return "source must be a Source or null"
    if record.duplicate_of is not None and not isinstance(record.duplicate_of, int | str):
        return "duplicate_of must be an id or null"
    for name, limit in MAX_LENGTH.items():
        value = getattr(record, name)
        if isinstance(value, str) and len(value) > limit:
            return f"{name} is longer than {limit} characters ({len(value)})"
    original = getattr(record, "original", None)
    texts: list[str] = []
    for name in _FIELD_NAMES[Record]:
        _collect_texts(getattr(record, name), texts)
    _collect_texts(original, texts)
    if not _has_bad_chars("".join(texts)):  # the usual case: one C-level test of every string
        return None
    for name in _FIELD_NAMES[Record]:
        if found := _first_bad_text(getattr(record, name), name):
            return found
    if original is not None and (found := _first_bad_text(original, "original")):
        return found
    return None


def _collect_texts(value: Any, out: list[str]) -> None:
    """Every string under ``value`` (what ``_first_bad_text`` walks), appended to ``out``.

    Joined, they are tested for NUL and lone surrogates at once; joining cannot make or hide
    one (Python strings never merge two surrogates into a pair). ``_first_bad_text``, which
    builds each string's path, runs only when the joined text has one, to name the field:
    ~3x cheaper per record."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            _collect_texts(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_texts(v, out)
    elif isinstance(value, PARTS):
        for name in _FIELD_NAMES[type(value)]:
            _collect_texts(getattr(value, name), out)


def check_record(record: Any) -> None:
    """Raise ``InvalidRecord`` when ``record`` cannot be stored."""
    if problem := record_problem(record):
        url = getattr(record, "url", None)
        raise InvalidRecord(f"record {url!r:.200} refused by the store: {problem}", problem)


def check_text(value: str | None, what: str) -> None:
    """Raise ``InvalidRecord`` for a NUL byte or lone surrogate in a reject's or page's text."""
    if value is not None and (problem := _bad_text(value)):
        raise InvalidRecord(f"{what} {problem}")
