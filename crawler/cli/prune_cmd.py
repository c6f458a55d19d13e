"""``newscrawl prune``: remove rejects, URL states, past versions and raw pages older than an
age, keeping every article (``storage.retention``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from crawler.cli import main
from crawler.cli.common import DB_OPTION, open_repo, parse_date_option

_AGE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_age(value: str, now: datetime | None = None) -> datetime:
    """``30d``, ``12h``, ``2w`` (before now) or a date (YYYY-MM-DD, ISO 8601) as a naive UTC cutoff."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if match := _AGE.match(value):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        cutoff = parse_date_option(value)
    except click.BadParameter:
        cutoff = None
    if cutoff is None:
        raise click.BadParameter(f"{value!r} is neither an age (30d, 12h, 2w) nor a date (YYYY-MM-DD)",
                                 param_hint="--older-than")
    return cutoff


@main.command()
@DB_OPTION
@click.option("--older-than", "older_than", required=True, metavar="AGE",
              help="Remove what is older than AGE: 30d, 12h, 2w, or a date (YYYY-MM-DD). 0d removes all of it.")
@click.option("--only", metavar="KINDS",
              help="Comma-separated: rejects, states (URL states), versions (past texts), raw (kept pages) "
                   "[default: all four].")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
def prune(db_url: str | None, older_than: str, only: str | None, dry_run: bool) -> None:
    """Remove old rejects, URL states, past article versions and kept raw pages, and give
    the space back (VACUUM on SQLite). Stored articles are never removed: their current
    text, ids and duplicate links stay.

    \b
    Example:
      newscrawl prune --older-than 90d
      newscrawl prune --older-than 30d --only rejects,states --dry-run
    """
    from storage.retention import KINDS
    from storage.retention import prune as prune_store

    cutoff = parse_age(older_than)
    kinds = [k.strip() for k in only.split(",") if k.strip()] if only else list(KINDS)
    if unknown := [k for k in kinds if k not in KINDS]:
        raise click.BadParameter(f"unknown kind {unknown[0]!r} (choose from {', '.join(KINDS)})", param_hint="--only")
    repo = open_repo(db_url)
    counts = prune_store(repo.engine, cutoff, kinds, dry_run=dry_run)
    names = {"rejects": "rejects", "states": "URL states", "versions": "past versions", "raw": "raw pages"}
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} " + ", ".join(f"{counts[k]} {names[k]}" for k in KINDS if k in counts)
               + f" older than {cutoff.isoformat(timespec='seconds')} UTC; articles kept: {repo.stats()['articles']}",
               err=True)
