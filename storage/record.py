"""The one record type used end to end: parser output, Scrapy item, stored row, export line.

Its JSON form is ``../shared/record.schema.json``; ``to_dict``/``from_dict`` are the only
(de)serialisers, so every layer prints the same shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class Crumb:
    """One step of a breadcrumb trail."""

    name: str
    url: str | None = None


@dataclass(slots=True)
class Image:
    """An image inside the article body, with its alt text and visible caption kept apart."""

    src: str
    alt: str | None = None
    caption: str | None = None


@dataclass(slots=True)
class Source:
    """Who originally published the article (attribution that must survive republishing)."""

    name: str | None = None
    account_id: str | None = None
    author: str | None = None
    channel: str | None = None
    line: str | None = None


@dataclass(slots=True)
class Record:
    """A clean article record. Field names and meanings follow record.schema.json."""

    url: str
    canonical_url: str
    site: str
    title: str
    body_text: str
    fetched_at: str
    id: int | str | None = None
    title_raw: str | None = None
    title_spam_prefix: str | None = None
    breadcrumb: list[Crumb] = field(default_factory=list)
    category: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    published_raw: str | None = None
    modified_raw: str | None = None
    authors: list[str] = field(default_factory=list)
    source: Source | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    summary_truncated: bool | None = None
    body_html: str | None = None
    images: list[Image] = field(default_factory=list)
    language: str | None = None
    comment_count: int | None = None
    view_count: int | None = None
    page_count: int | None = None
    paywalled: bool | None = None
    removed_at: str | None = None
    content_hash: str | None = None
    duplicate_of: int | str | None = None
    http_status: int | None = None

    @property
    def body_blocks(self) -> list[str]:
        """The body as its blocks (one per line of ``body_text``)."""
        return [line for line in self.body_text.split("\n") if line]

    def to_dict(self) -> dict[str, Any]:
        """The record as schema-shaped JSON data (nested parts as plain dicts)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Build a record from schema-shaped data; keys outside the schema are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["breadcrumb"] = [Crumb(**c) for c in values.get("breadcrumb") or []]
        values["images"] = [Image(**i) for i in values.get("images") or []]
        values["authors"] = list(values.get("authors") or [])
        values["tags"] = list(values.get("tags") or [])
        if values.get("source"):
            values["source"] = Source(**values["source"])
        return cls(**values)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Record))
#: the record's parts; every field of each holds a str or None (tests/storage pin this)
PARTS = (Crumb, Image, Source)


def plain(value: Any) -> Any:
    """A record field's value as JSON data: a part as the dict of its fields, a list item by
    item, anything else as it is. The parts hold only strings and None, so this is what
    ``dataclasses.asdict`` makes of them, without its recursive deep copy (~80 us a record of
    the bench site, paid for every article the store writes)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if type(value) in PARTS:
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    return value
