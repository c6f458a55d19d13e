"""``parse``: saved pages in, one JSON record per input out."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
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


# One input: the page's path and URL, its fetch time, and (an article split over pages) the
# other pages' (path, URL or None) in order.
Input = tuple[str, str | None, datetime | None, list[tuple[str, str | None]]]
#: inputs from which ``parse`` spreads the work over one process per CPU by default: below
#: it, a worker's start-up (~0.5 s of imports) costs more than the pages it would take
POOL_FROM = 50


def _inputs(files: tuple[str, ...], url: str | None, manifest: str | None,
            fetched_at: datetime | None, pages: bool = False) -> Iterator[Input]:
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
                more = [(str(part["path"]), part.get("url")) for part in entry.get("pages") or []]
            except (ValueError, KeyError, TypeError) as exc:
                raise click.ClickException(f"{manifest}:{number}: expected {{\"path\": ..., \"url\": ...}}") from exc
            when = _when(entry.get("fetched_at"), f"{manifest}:{number}") or fetched_at
            yield _resolved(path, base), entry.get("url"), when, [(_resolved(p, base), u) for p, u in more]
    if pages and files:
        yield files[0], url, fetched_at, [(file, None) for file in files[1:]]
        return
    for file in files:
        yield file, url, fetched_at, []


def _resolved(path: str, base: Path) -> str:
    return path if Path(path).is_absolute() or Path(path).exists() else str(base / path)


def parse_line(body: bytes, url: str, options: Any, when: datetime | None, explain: bool = False,
               path: str | None = None, parts: list[tuple[bytes, str | None]] | None = None) -> dict[str, Any]:
    """One page's output line: the record with its kind, reason, warnings and (``explain``)
    each field's source. ``parts``: the article's other pages, (bytes, URL or None) in order,
    merged into the record as the crawl merges them (a page without a URL is given the one
    the first page's pager links it by). Raises NotAnArticle when no record can be built."""
    from crawler.parsing import Page
    from crawler.parsing.explain import explain as explain_fields
    from crawler.parsing.merge import judge_pages
    from crawler.parsing.pagination import detect_pagination

    page = Page.from_bytes(body, url)
    others = []
    if parts:
        found = detect_pagination(page)
        named = dict(found.pages) if found and not found.is_continuation else {}
        others = [Page.from_bytes(data, part_url or named.get(n) or f"{url}#page-{n}")
                  for n, (data, part_url) in enumerate(parts, 2)]
    verdict = judge_pages([page, *others], options, when)
    line: dict[str, Any] = verdict.record.to_dict() | ({"input": path} if path is not None else {}) | {
        "kind": verdict.kind, "kind_reason": verdict.reason, "warnings": list(verdict.warnings)}
    if explain:
        given = dict(verdict.explain) | ({"language": "profile"} if options.language else {})
        line["explain"] = explain_fields(page, verdict.record, given, when)
    return line


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (resolves links, names the site).")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help='JSON lines of {"path": ..., "url": ..., "fetched_at": ...} (url and fetched_at optional): '
                   'parse many pages in one run.')
@click.option("--site", help="Site name to put in the records.")
@click.option("--fetched-at", "fetched_at", metavar="TIME",
              help="When the pages were fetched (ISO 8601, e.g. 2024-05-01T08:00:00+08:00): relative and "
                   "year-less dates resolve against it. Default: now.")
@click.option("--profile", "profile_name", metavar="NAME",
              help="Parse with a site profile (name or .toml path): its selectors, zone, boilerplate...")
@click.option("--pages", "pages", is_flag=True,
              help="FILES are the pages of ONE article split over several, in order (page 1, 2, 3...): print one "
                   "record with every page's text merged and page_count set, as the crawl stores it. --url is "
                   "page 1's; the others' are read from its pager. (In --manifest, a line's \"pages\": "
                   '[{"path": ..., "url": ...}, ...] does the same.)')
@click.option("--explain", is_flag=True,
              help='Add "explain": where each field came from (profile selector, JSON-LD, meta tag, <time>, '
                   'labelled text, heuristic...).')
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help=f"Parse in N processes; the output keeps the input order. Default: one per CPU for "
                   f"{POOL_FROM} inputs or more, else 1.")
def parse(files: tuple[str, ...], url: str | None, manifest: str | None, site: str | None,
          fetched_at: str | None, profile_name: str | None, pages: bool, explain: bool,
          workers: int | None) -> None:
    """Parse saved HTML pages and print one JSON record per input.

    A page of an article split over several is parsed alone (page 1's text only) unless its
    other pages are given with --pages (nothing is fetched).

    Each output line is the record plus "input" (the path), "kind" (article, listing,
    profile or page: what the crawl would store is exactly the kind "article"), "kind_reason"
    (why it is not an article) and "warnings" (e.g. bytes that could not be decoded); or
    {"input": path, "error": ...} when no record could be built at all. Exits 1 when any
    input gave no record or a record that is not an article.

    \b
    Example:
      newscrawl parse --url http://zixun.example.com/post/1987.html page.html
      newscrawl parse --explain --profile ./profiles/mysite.toml --url https://mysite.example/a/1.html a1.html
      newscrawl parse --pages --url http://www.example.cn/news/1001.html 1001.html 1001_2.html 1001_3.html
    """
    from crawler.parsing import ParseOptions

    if not files and not manifest:
        raise click.UsageError("give one or more FILES or --manifest FILE")
    options = ParseOptions(site=site)
    if profile_name:
        from dataclasses import replace

        from crawler.profiles import ProfileError, find_profile

        try:
            options = find_profile(profile_name).parse_options()
        except ProfileError as exc:
            raise click.ClickException(str(exc)) from exc
        options = replace(options, site=site) if site else options
    default_time = _when(fetched_at, "--fetched-at")
    inputs = list(_inputs(files, url, manifest, default_time, pages))  # a bad manifest line stops before any output
    failed = 0
    for line in _parsed(inputs, options, explain, _worker_count(workers, len(inputs))):
        failed += line.get("kind") != "article"
        click.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        click.echo(f"error: {failed} input(s) could not be parsed", err=True)
        sys.exit(1)


def _worker_count(requested: int | None, inputs: int) -> int:
    """``--workers``, else one process per CPU for ``POOL_FROM`` inputs or more, else 1."""
    if requested is not None:
        return max(1, requested)
    return max(1, os.cpu_count() or 1) if inputs >= POOL_FROM else 1


def _parsed(inputs: list[Input], options: Any, explain: bool, workers: int) -> Iterable[dict[str, Any]]:
    """Each input's output line, in input order: in this process, or spread over ``workers``
    processes (parsing is pure: the same page gives the same line wherever it is parsed)."""
    tasks = [(item, options, explain) for item in inputs]
    if workers <= 1 or len(tasks) <= 1:
        yield from map(_line_of, tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(workers, len(tasks))
    # spawn: a fresh interpreter per worker, whatever the caller's process holds (threads, a loop)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(_line_of, tasks, chunksize=max(1, min(16, len(tasks) // (workers * 8))))


def _line_of(task: tuple[Input, Any, bool]) -> dict[str, Any]:
    """One input's output line: its record and verdict, or ``{"input": path, "error": ...}``."""
    from crawler.parsing import NotAnArticle

    (path, page_url, when, more), options, explain = task
    try:
        body = Path(path).read_bytes()
        parts = [(Path(part).read_bytes(), part_url) for part, part_url in more]
        return parse_line(body, page_url or Path(path).resolve().as_uri(), options, when, explain, path, parts)
    except OSError as exc:
        return {"input": path, "error": f"cannot read file: {exc.strerror}"}
    except NotAnArticle as exc:
        return {"input": path, "error": f"not an article: {exc.reason}"}
