"""Options and helpers shared by every command: the database option, opening the store
with one-line errors, and date arguments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from crawler.exitcodes import EXIT_LOST
from storage.errors import StorageError  # not storage.db: see open_repo

__all__ = ["DB_OPTION", "EXIT_LOST", "open_repo", "parse_date_option"]
DB_OPTION = click.option("--db", "db_url", metavar="URL", envvar="NEWSCRAWL_DB",
                         help="Database URL [env NEWSCRAWL_DB; default sqlite:///newscrawl.db].")


def open_repo(db_url: str | None) -> Any:
    """The repository over ``db_url``; a database problem becomes a one-line CLI error.

    SQLAlchemy is imported here, not at the top: a crawl's parse workers are spawned and
    re-import the command's main module, and they need no database (15 MB each)."""
    from storage.db import connect
    from storage.repository import Repository

    try:
        return Repository(connect(db_url))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from exc


def parse_date_option(value: str | None) -> datetime | None:
    """A --since/--until value (YYYY-MM-DD or ISO 8601) as naive UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from exc
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
