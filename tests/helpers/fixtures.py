"""The one fixture format: a folder of saved pages and its ``manifest.jsonl``.

Every folder of labelled pages under ``tests/fixtures/`` (and the held-out Chinese labels)
describes its pages in a ``manifest.jsonl``, one JSON object a line, which
``newscrawl parse --manifest FILE`` reads as it is:

- ``path``: the page, relative to the manifest's folder (pages kept elsewhere, such as the
  demo site's listings or ../shared's zh-dev pages, are referenced, not copied);
- ``url``: the address the page was fetched from (links and the site resolve against it);
- ``fetched_at``: when it was fetched, so relative dates (3小时前, "2 hours ago") read the
  same every run;
- ``kind``: what the page is (``article``, ``listing``, ``home``, ``tag``...);
- ``note``: what makes the page worth keeping (optional);
- ``expected``: record fields the parser must give, by name, written by reading the page
  (the comparison rules are in ``tests/parsing/test_labelled_pages.py``; optional);
- ``body``: the whole true body, one paragraph a line, scored with ../shared/eval/body_score.py
  (optional).

The one exception is ``seed-article/``: a byte-for-byte copy of ../shared's seed fixture
(``page.html`` + ``expected.json``, the whole expected record), compared with the original.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class FixturePage:
    """One line of a manifest, with its page's path resolved."""

    name: str  # the manifest's ``path``, as written
    path: Path
    url: str
    kind: str
    fetched_at: datetime | None = None
    note: str = ""
    expected: dict[str, Any] = field(default_factory=dict)
    body: str | None = None

    @property
    def key(self) -> str:
        """The page's name without folder or suffix (``163_1``), as scorers key pages."""
        return self.path.stem

    def html(self) -> bytes:
        return self.path.read_bytes()


def fixture_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as an aware datetime (naive means UTC), or None."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def load_manifest(manifest: Path, must_exist: bool = True) -> list[FixturePage]:
    """Every page of a manifest; a page that is not there is an error (unless ``must_exist``
    is off: held-out pages read from ../shared may be missing on a machine without it)."""
    pages = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        unknown = set(entry) - {"path", "url", "fetched_at", "kind", "note", "expected", "body", "pages"}
        if unknown:
            raise ValueError(f"{manifest}:{number}: unknown keys {sorted(unknown)}")
        path = (manifest.parent / entry["path"]).resolve()
        if must_exist and not path.exists():
            raise FileNotFoundError(f"{manifest}:{number}: {path} does not exist")
        pages.append(FixturePage(entry["path"], path, entry["url"], entry["kind"],
                                 fixture_time(entry.get("fetched_at")), entry.get("note", ""),
                                 entry.get("expected", {}), entry.get("body")))
    return pages


def body_truth(pages: list[FixturePage]) -> dict[str, dict[str, str]]:
    """The pages with a true body, in body_score.py's format: ``{key: {url, articleBody}}``."""
    return {p.key: {"url": p.url, "articleBody": p.body} for p in pages if p.body is not None}
