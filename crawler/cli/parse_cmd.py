"""``parse``: saved pages in, one JSON record per input out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from crawler.cli import main


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


