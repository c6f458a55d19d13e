"""``parse``: saved pages in, one JSON record per input out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from crawler.cli import main


def _when(value: str | None, where: str) -> datetime | None:
    """A fetch time from the command line or a manifest line (ISO 8601; a naive time is UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.ClickException(f"{where}: fetched_at {value!r} is not an ISO 8601 date or time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _inputs(files: tuple[str, ...], url: str | None, manifest: str | None,
            fetched_at: datetime | None) -> Iterator[tuple[str, str | None, datetime | None]]:
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
            when = _when(entry.get("fetched_at"), f"{manifest}:{number}") or fetched_at
            yield resolved, entry.get("url"), when
    for file in files:
        yield file, url, fetched_at


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (resolves links, names the site).")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help='JSON lines of {"path": ..., "url": ..., "fetched_at": ...} (url and fetched_at optional): '
                   'parse many pages in one process.')
@click.option("--site", help="Site name to put in the records.")
@click.option("--fetched-at", "fetched_at", metavar="TIME",
              help="When the pages were fetched (ISO 8601, e.g. 2024-05-01T08:00:00+08:00): relative and "
                   "year-less dates resolve against it. Default: now.")
def parse(files: tuple[str, ...], url: str | None, manifest: str | None, site: str | None,
          fetched_at: str | None) -> None:
    """Parse saved HTML pages and print one JSON record per input.

    Each output line is the record plus "input" (the path), "kind" (article, listing,
    profile or page: what the crawl would store is exactly the kind "article"), "kind_reason"
    (why it is not an article) and "warnings" (e.g. bytes that could not be decoded); or
    {"input": path, "error": ...} when no record could be built at all. Exits 1 when any
    input gave no record or a record that is not an article.

    \b
    Example:
      newscrawl parse --url http://zixun.example.com/post/1987.html page.html
    """
    from crawler.parsing import NotAnArticle, ParseOptions, judge_article

    if not files and not manifest:
        raise click.UsageError("give one or more FILES or --manifest FILE")
    options = ParseOptions(site=site)
    default_time = _when(fetched_at, "--fetched-at")
    failed = 0
    for path, page_url, when in _inputs(files, url, manifest, default_time):
        try:
            body = Path(path).read_bytes()
            verdict = judge_article(body, page_url or Path(path).resolve().as_uri(), options, fetched_at=when)
            line: dict[str, Any] = verdict.record.to_dict() | {
                "input": path, "kind": verdict.kind, "kind_reason": verdict.reason,
                "warnings": list(verdict.warnings)}
            failed += not verdict.is_article
        except OSError as exc:
            line, failed = {"input": path, "error": f"cannot read file: {exc.strerror}"}, failed + 1
        except NotAnArticle as exc:
            line, failed = {"input": path, "error": f"not an article: {exc.reason}"}, failed + 1
        click.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        click.echo(f"error: {failed} input(s) could not be parsed", err=True)
        sys.exit(1)


