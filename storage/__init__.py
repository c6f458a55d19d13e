"""Storage: SQLAlchemy 2.x models, engine setup, migrations, the repository and exports.

Everything that reads or writes the database goes through ``storage.repository`` so the
crawl pipeline and the CLI see the same data the same way.

``connect`` and ``StorageError`` are loaded from ``storage.db`` on first use, not on import:
the parse workers import ``storage.neardup`` (numpy only), and importing this package must
not cost each of them SQLAlchemy (~10 MB of RSS per worker, measured).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import StorageError, connect

__all__ = ["StorageError", "connect"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storage import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
