"""Commands that read the store: ``list``, ``show``, ``stats`` and ``export``."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from crawler.cli import main
from crawler.cli.common import DB_OPTION, open_repo, parse_date_option
from crawler.parsing.record import Record


def _filters(site: str | None, category: str | None, since: str | None, until: str | None,
             include_duplicates: bool, limit: int | None):  # noqa: ANN202 - Filters
    from storage.repository import Filters

    return Filters(site=site, category=category, since=parse_date_option(since), until=parse_date_option(until),
                   include_duplicates=include_duplicates, limit=limit)


def _filter_options(func: Any) -> Any:
    for option in reversed([
        click.option("--site", help="Only this site."),
        click.option("--category", help="Only this category."),
        click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD)."),
        click.option("--until", metavar="DATE", help="Published before DATE (YYYY-MM-DD)."),
        click.option("--include-duplicates", is_flag=True, help="Also records that duplicate another one."),
    ]):
        func = option(func)
    return func


@main.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "html"]), default="jsonl",
              show_default=True, help="html: one page, sanitised bodies with attribution, safe to republish.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE atomically [default: stdout].")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM so Excel reads Chinese text right.")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), help="At most this many records.")
def export(db_url: str | None, fmt: str, out: str | None, excel: bool, site: str | None, category: str | None,
           since: str | None, until: str | None, include_duplicates: bool, limit: int | None) -> None:
    """Export stored records (newest first) as CSV, a JSON array, JSON Lines or HTML.
    Records that duplicate another one are left out unless --include-duplicates.

    \b
    Example:
      newscrawl export --format csv --excel --out articles.csv
      newscrawl export --format html --site demo --out demo.html
    """
    from storage.export import atomic_output, write_records

    repo = open_repo(db_url)
    records = repo.iter_records(_filters(site, category, since, until, include_duplicates, limit))
    try:
        with atomic_output(out) as handle:
            count = write_records(records, fmt, handle, bom=excel)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    if out:
        click.echo(f"{count} records written to {out}", err=True)


def print_table(records: list[Record]) -> None:
    width = max((len(str(r.id)) for r in records), default=2)
    for r in records:
        date = (r.published_at or "")[:16].replace("T", " ")
        dup = f" (dup of {r.duplicate_of})" if r.duplicate_of else ""
        click.echo(f"{str(r.id).rjust(width)}  {date:16}  {r.site[:20]:20}  {r.title[:70]}{dup}")


@main.command(name="list")
@DB_OPTION
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
def list_(db_url: str | None, site: str | None, category: str | None, since: str | None, until: str | None,
          include_duplicates: bool, limit: int, as_json: bool) -> None:
    """List stored articles, newest first.

    \b
    Example:
      newscrawl list --site demo --limit 10
    """
    repo = open_repo(db_url)
    records = list(repo.iter_records(_filters(site, category, since, until, include_duplicates, limit)))
    if as_json:
        for r in records:
            click.echo(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        print_table(records)


@main.command()
@click.argument("key")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="The record as JSON.")
@click.option("--versions", is_flag=True, help="Also list the record's earlier versions.")
def show(key: str, db_url: str | None, as_json: bool, versions: bool) -> None:
    """Show one stored article by ID or URL; --versions lists every stored version of it.

    \b
    Example:
      newscrawl show 1
      newscrawl show https://example.com/news/1.html --versions
    """
    repo = open_repo(db_url)
    record = repo.get(key)
    if record is None:
        raise click.ClickException(f"no article with id or URL {key!r}")
    history = repo.versions(int(record.id), include_current=True) if versions else []
    if as_json:
        data = record.to_dict()
        if versions:
            data["versions"] = history
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    crumbs = " > ".join(c.name for c in record.breadcrumb)
    for label, value in (("id", record.id), ("title", record.title), ("url", record.url),
                         ("canonical", record.canonical_url), ("site", record.site), ("breadcrumb", crumbs),
                         ("category", record.category), ("published", record.published_at),
                         ("authors", ", ".join(record.authors)), ("source", record.source and record.source.name),
                         ("tags", ", ".join(record.tags)), ("comments", record.comment_count),
                         ("views", record.view_count), ("duplicate of", record.duplicate_of),
                         ("summary", record.summary)):
        if value not in (None, "", []):
            click.echo(f"{label:>12}: {value}")
    click.echo("")
    for block in record.body_blocks:
        click.echo(textwrap.fill(block, width=100) if block.isascii() else block)
    if versions:
        _print_versions(history)


def _print_versions(history: list[dict[str, Any]]) -> None:
    """One line per version, oldest first, with how its body differs from the one before."""
    click.echo(f"\n{len(history)} version{'s' if len(history) != 1 else ''}:")
    previous: list[str] = []
    for i, v in enumerate(history):
        lines = [line for line in (v["record"].get("body_text") or "").split("\n") if line]
        change = ""
        if i:
            added = len(set(lines) - set(previous))
            removed = len(set(previous) - set(lines))
            change = f"  (+{added} / -{removed} paragraphs)"
        current = "  [current]" if i == len(history) - 1 else ""
        click.echo(f"  v{v['version']}  fetched {v['fetched_at']}  {(v['content_hash'] or '')[:12]}  "
                   f"{v['record'].get('title')}{change}{current}")
        previous = lines


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(db_url: str | None, as_json: bool) -> None:
    """Counts per site, URL states, rejects and recent runs."""
    data = open_repo(db_url).stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {data['articles']} ({data['duplicates']} duplicates), rejects: {data['rejects']}")
    for row in data["sites"]:
        click.echo(f"  {row['site']}: {row['records']} records, {row['duplicates']} duplicates")
    if data["url_states"]:
        click.echo("url states: " + ", ".join(f"{k} {v}" for k, v in sorted(data["url_states"].items())))
    for run in data["runs"]:
        click.echo(f"run {run['id']} {run['status']} {run['started_at']}: {run['pages']} pages, {run['new']} new, "
                   f"{run['updated']} updated, {run['unchanged']} unchanged, {run['duplicate']} duplicate, "
                   f"{run['rejected']} rejected, {run['errors']} errors")


