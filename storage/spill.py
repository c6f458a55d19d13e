"""Spill files: items a run could not store because its database was away or its disk full.

Each run writes at most one JSON Lines file (one item a line, its kind beside its data) in a
folder per database; the next run against that database stores them before anything else and
deletes the file. Folder: $NEWSCRAWL_SPILL_DIR, else $XDG_STATE_HOME/newscrawl/spill, else
~/.local/state/newscrawl/spill.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage.outcomes import Failed, PagePart, RawPage, Rejected, Skipped
from storage.record import Record

_DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk quota exceeded",
              "file too large")


def is_disk_full(exc: BaseException) -> bool:
    """True for the errors a full disk (or a file size limit) produces, from SQLite, PostgreSQL or the OS."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return True
        if any(marker in str(seen).lower() for marker in _DISK_FULL):
            return True
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "orig", None)
        if seen is exc:
            break
    return False


def spill_root(engine: Engine) -> Path:
    base = os.environ.get("NEWSCRAWL_SPILL_DIR") or Path(
        os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "newscrawl" / "spill"
    key = hashlib.sha1(engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return Path(base) / key


def _encode(item: Any) -> dict[str, Any]:
    if isinstance(item, Record):
        return {"kind": "record", "data": item.to_dict()}
    data = asdict(item)
    if isinstance(item, RawPage):
        data["body"] = base64.b64encode(item.body).decode("ascii")
        data["parts"] = [{**part, "body": base64.b64encode(page.body).decode("ascii")}
                         for part, page in zip(data["parts"], item.parts, strict=True)]
    return {"kind": type(item).__name__.lower(), "data": data}


def _decode(line: dict[str, Any]) -> Any:
    kind, data = line["kind"], line["data"]
    if kind == "record":
        return Record.from_dict(data)
    if kind == "rawpage":
        parts = tuple(PagePart(**{**part, "body": base64.b64decode(part["body"])}) for part in data.get("parts") or ())
        return RawPage(**{**data, "body": base64.b64decode(data["body"]), "parts": parts})
    return {"rejected": Rejected, "failed": Failed, "skipped": Skipped}[kind](**data)


class SpillFile:
    """The spill file of one run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_run(cls, engine: Engine, run_id: int | None) -> SpillFile:
        return cls(spill_root(engine) / f"run-{run_id}.jsonl")

    def write(self, items: Iterable[Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(_encode(item), ensure_ascii=False) + "\n" for item in items)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> list[Any]:
        items = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    items.append(_decode(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash while spilling
        return items

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def pending_spills(engine: Engine) -> list[SpillFile]:
    """Spill files left by earlier runs against this database, oldest first."""
    root = spill_root(engine)
    if not root.is_dir():
        return []
    return [SpillFile(p) for p in sorted(root.glob("run-*.jsonl"), key=lambda p: p.stat().st_mtime)]
