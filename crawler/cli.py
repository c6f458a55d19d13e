"""``newscrawl``: a thin command line over the parser, the crawl runner and ``storage``.

Library errors become one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from crawler.parsing.record import Record
from storage.db import StorageError, connect, database_url

EXIT_LOST = 1
DB_OPTION = click.option("--db", "db_url", metavar="URL", envvar="NEWSCRAWL_DB",
                         help="Database URL [env NEWSCRAWL_DB; default sqlite:///newscrawl.db].")


def _open(db_url: str | None):  # noqa: ANN202 - a Repository
    from storage.repository import Repository

    try:
        return Repository(connect(db_url))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from exc


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from exc
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscrawl")
def main() -> None:
    """newscrawl: crawl news sites into clean, deduplicated article records.

    \b
    Quick start:
      newscrawl demo                       crawl the bundled demo site
      newscrawl crawl https://example.com/news/
      newscrawl list
      newscrawl export --format csv --out articles.csv
    """


# --- crawling --------------------------------------------------------------------------------

@main.command()
@click.argument("urls", nargs=-1, required=True)
@DB_OPTION
@click.option("--profile", type=click.Choice(["polite", "fast"]), default="polite", show_default=True,
              help="polite: robots.txt, AutoThrottle, delays. fast: for sites you own or may crawl hard.")
@click.option("--site", help="Site name stored with the records [default: the registered domain].")
@click.option("--no-follow", is_flag=True, help="Fetch only the given URLs (and sitemap/feed entries).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many responses.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO",
              show_default=True)
def crawl(urls: tuple[str, ...], db_url: str | None, profile: str, site: str | None, no_follow: bool,
          max_pages: int | None, log_level: str) -> None:
    """Crawl from start URLS (pages, listing pages, sitemaps or feeds) and store the articles.

    Exits 0 only when every item was stored; 1 when anything could not be.

    \b
    Example:
      newscrawl crawl --profile polite --db sqlite:///news.db https://example.com/sitemap.xml
    """
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URLS")
    _open(db_url)  # fail fast, before Scrapy starts, on a bad database URL
    result = _run(list(urls), db_url, profile, site, log_level, max_pages, follow=not no_follow)
    _report(result, db_url)
    if not result.ok:
        sys.exit(EXIT_LOST)


def _run(urls: list[str], db_url: str | None, profile: str, site: str | None, log_level: str,
         max_pages: int | None = None, follow: bool = True):  # noqa: ANN202 - a CrawlResult
    from crawler.runner import run_crawl

    overrides: dict[str, Any] = {"LOG_LEVEL": log_level}
    if max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = max_pages
    return run_crawl(urls, database_url(db_url), profile=profile, site=site, overrides=overrides, follow=follow)


def _report(result: Any, db_url: str | None) -> None:
    parts = [f"{result.count(k)} {k}" for k in ("new", "updated", "unchanged", "duplicate", "rejected")]
    click.echo(f"crawl {result.finish_reason}: {int(result.stats.get('response_received_count', 0))} pages, "
               + ", ".join(parts) + f" -> {database_url(db_url)}", err=True)
    if result.store_errors:
        click.echo(f"error: {result.store_errors} items could not be stored", err=True)


@main.command()
@DB_OPTION
@click.option("--port", type=int, default=0, help="Port for the demo server [default: a free port].")
def demo(db_url: str | None, port: int) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it into the database."""
    from crawler.demo.server import DemoServer

    _open(db_url)
    with DemoServer(port=port) as server:
        click.echo(f"demo site at {server.base_url}/", err=True)
        result = _run([server.base_url + "/"], db_url, "fast", "demo", "WARNING")
    _report(result, db_url)
    repo = _open(db_url)
    from storage.repository import Filters

    rows = list(repo.iter_records(Filters(site="demo")))
    _print_table(rows)
    click.echo(f"\n{len(rows)} demo articles stored in {database_url(db_url)} "
               "(try: newscrawl list, newscrawl show ID, newscrawl export --format json)")
    if not result.ok:
        sys.exit(EXIT_LOST)


# --- parsing ---------------------------------------------------------------------------------

def _inputs(files: tuple[str, ...], url: str | None, manifest: str | None) -> Iterator[tuple[str, str | None]]:
    if manifest:
        try:
            lines = Path(manifest).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise click.ClickException(f"cannot read manifest {manifest}: {exc.strerror}") from exc
        base = Path(manifest).parent
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                path = str(entry["path"])
            except (ValueError, KeyError, TypeError) as exc:
                raise click.ClickException(f"{manifest}:{number}: expected {{\"path\": ..., \"url\": ...}}") from exc
            resolved = path if Path(path).is_absolute() or Path(path).exists() else str(base / path)
            yield resolved, entry.get("url")
    for file in files:
        yield file, url


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (resolves links, names the site).")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help='JSON lines of {"path": ..., "url": ...}: parse many pages in one process.')
@click.option("--site", help="Site name to put in the records.")
def parse(files: tuple[str, ...], url: str | None, manifest: str | None, site: str | None) -> None:
    """Parse saved HTML pages and print one JSON record per input.

    Each output line is the record plus "input" (the path), or {"input": path, "error": ...}.
    Exits 1 when any input could not be parsed.

    \b
    Example:
      newscrawl parse --url http://zixun.example.com/post/1987.html page.html
    """
    from crawler.parsing import NotAnArticle, ParseOptions, parse_article

    if not files and not manifest:
        raise click.UsageError("give one or more FILES or --manifest FILE")
    options = ParseOptions(site=site)
    failed = 0
    for path, page_url in _inputs(files, url, manifest):
        try:
            body = Path(path).read_bytes()
            record = parse_article(body, page_url or Path(path).resolve().as_uri(), options)
            line: dict[str, Any] = record.to_dict() | {"input": path}
        except OSError as exc:
            line, failed = {"input": path, "error": f"cannot read file: {exc.strerror}"}, failed + 1
        except NotAnArticle as exc:
            line, failed = {"input": path, "error": f"not an article: {exc.reason}"}, failed + 1
        click.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        click.echo(f"error: {failed} input(s) could not be parsed", err=True)
        sys.exit(1)


# --- reading the store -----------------------------------------------------------------------

def _filters(site: str | None, category: str | None, since: str | None, until: str | None,
             include_duplicates: bool, limit: int | None):  # noqa: ANN202 - Filters
    from storage.repository import Filters

    return Filters(site=site, category=category, since=_date(since), until=_date(until),
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
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE atomically [default: stdout].")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM so Excel reads Chinese text right.")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), help="At most this many records.")
def export(db_url: str | None, fmt: str, out: str | None, excel: bool, site: str | None, category: str | None,
           since: str | None, until: str | None, include_duplicates: bool, limit: int | None) -> None:
    """Export stored records (newest first) as CSV, a JSON array or JSON Lines.

    \b
    Example:
      newscrawl export --format csv --excel --out articles.csv
    """
    from storage.export import atomic_output, write_records

    repo = _open(db_url)
    records = repo.iter_records(_filters(site, category, since, until, include_duplicates, limit))
    try:
        with atomic_output(out) as handle:
            count = write_records(records, fmt, handle, bom=excel)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    if out:
        click.echo(f"{count} records written to {out}", err=True)


def _print_table(records: list[Record]) -> None:
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
    repo = _open(db_url)
    records = list(repo.iter_records(_filters(site, category, since, until, include_duplicates, limit)))
    if as_json:
        for r in records:
            click.echo(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        _print_table(records)


@main.command()
@click.argument("key")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="The record as JSON.")
@click.option("--versions", is_flag=True, help="Also list the record's earlier versions.")
def show(key: str, db_url: str | None, as_json: bool, versions: bool) -> None:
    """Show one stored article by ID or URL.

    \b
    Example:
      newscrawl show 1
    """
    repo = _open(db_url)
    record = repo.get(key)
    if record is None:
        raise click.ClickException(f"no article with id or URL {key!r}")
    past = repo.versions(int(record.id)) if versions else []
    if as_json:
        data = record.to_dict()
        if versions:
            data["versions"] = past
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
    for v in past:
        click.echo(f"\nversion {v['version']} fetched {v['fetched_at']}: {v['record'].get('title')}")


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(db_url: str | None, as_json: bool) -> None:
    """Counts per site, URL states, rejects and recent runs."""
    data = _open(db_url).stats()
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


if __name__ == "__main__":
    main()
