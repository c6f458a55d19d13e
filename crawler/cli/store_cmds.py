"""Commands that read the store: ``list``, ``show``, ``search``, ``index``, ``stats`` and ``export``.

Output follows one rule: on a terminal, a table for people; when stdout is a pipe or a
file, JSON Lines (one record a line) for programs. ``--json``, ``--csv`` and ``--table``
choose explicitly. Progress of long exports goes to stderr, only when stderr is a terminal
and not ``--quiet``.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

import click

from crawler.cli import main
from crawler.cli.common import DB_OPTION, open_repo, parse_date_option
from crawler.parsing.record import Record


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _selection(site: str | None, category: str | None, since: str | None, until: str | None,
               duplicates: str | None, include_duplicates: bool, limit: int | None,
               include_removed: bool = False):  # noqa: ANN202 - Selection
    from storage.report import Selection

    since_at, until_at = parse_date_option(since), parse_date_option(until)
    if since_at and until_at and since_at >= until_at:
        raise click.BadParameter(f"--since {since} is not before --until {until}", param_hint="'--since'")
    return Selection(site=site, category=category, since=since_at, until=until_at,
                     duplicates=duplicates or ("include" if include_duplicates else "hide"), limit=limit or None,
                     include_removed=include_removed)


def _filter_options(func: Any) -> Any:
    for option in reversed([
        click.option("--site", help="Only this site."),
        click.option("--category", help="Only this category."),
        click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD or ISO 8601)."),
        click.option("--until", metavar="DATE", help="Published before DATE (YYYY-MM-DD or ISO 8601)."),
        click.option("--duplicates", type=click.Choice(["hide", "include", "only"]),
                     help="Records that duplicate another one: hide (default), include, or show only them."),
        click.option("--include-duplicates", is_flag=True, help="Same as --duplicates include."),
        click.option("--include-removed", is_flag=True,
                     help="Also records whose page was taken down (answered 404 or 410 on a re-crawl)."),
    ]):
        func = option(func)
    return func


def _format_options(func: Any) -> Any:
    for option in reversed([
        click.option("--json", "as_json", is_flag=True, help="JSON Lines: one record a line."),
        click.option("--csv", "as_csv", is_flag=True, help="CSV with a header (lists flattened as in export)."),
        click.option("--table", "as_table", is_flag=True, help="A table even when not on a terminal."),
    ]):
        func = option(func)
    return func


def _output_mode(as_json: bool, as_csv: bool, as_table: bool) -> str:
    chosen = [name for name, flag in (("json", as_json), ("csv", as_csv), ("table", as_table)) if flag]
    if len(chosen) > 1:
        raise click.UsageError("choose one of --json, --csv and --table")
    if chosen:
        return chosen[0]
    return "table" if _is_terminal(sys.stdout) else "json"


# --- terminal text: display widths (CJK characters take two columns) ----------------------------


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (with … when cut) and padded to exactly ``width``."""
    text = " ".join(text.split())
    if display_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * max(0, width - display_width(text))


def wrap(block: str, width: int) -> list[str]:
    """A paragraph wrapped to ``width`` columns: between words for spaced scripts, between
    characters for Chinese and Japanese."""
    lines, line, used = [], "", 0
    import re

    for token in re.findall(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff]+", block):
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        w = display_width(token)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _terminal_width() -> int:
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _date(record: Record) -> str:
    return (record.published_at or "")[:16].replace("T", " ")


def print_table(records: Iterable[Record], extra: dict[int, str] | None = None) -> int:
    """Id, date, site, category and title, fitted to the terminal; returns the row count."""
    total = _terminal_width()
    count = 0
    for r in records:
        if count == 0:
            click.echo(click.style(f"{'id':>7}  {'published':16}  {clip('site', 16)}  {clip('category', 10)}  title",
                                   bold=True))
        dup = f" [dup of {r.duplicate_of}]" if r.duplicate_of else ""
        title_width = max(20, total - 7 - 16 - 16 - 10 - 8)
        click.echo(f"{str(r.id):>7}  {_date(r):16}  {clip(r.site, 16)}  {clip(r.category or '', 10)}  "
                   f"{clip(r.title + dup, title_width).rstrip()}")
        if extra and r.id in extra:
            click.echo(" " * 9 + click.style(clip(extra[r.id], title_width + 30).rstrip(), dim=True))
        count += 1
    if count == 0:
        click.echo("no records", err=True)
    return count


def _emit(records: Iterable[Record], mode: str, extra: dict[int, dict[str, Any]] | None = None) -> int:
    count = 0
    if mode == "json":
        for r in records:
            data = r.to_dict()
            if extra and r.id in extra:
                data.update(extra[r.id])
            click.echo(json.dumps(data, ensure_ascii=False))
            count += 1
    elif mode == "csv":
        from storage.export import csv_columns, flatten

        out = sys.stdout
        columns = csv_columns() + (["score", "snippet"] if extra is not None else [])
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for r in records:
            row = flatten(r)
            if extra is not None:
                row.update(extra.get(r.id, {}))
            writer.writerow(row)
            count += 1
    return count


@main.command(name="list")
@DB_OPTION
@_filter_options
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="At most N records; 0: all.")
@_format_options
def list_(db_url: str | None, site: str | None, category: str | None, since: str | None, until: str | None,
          duplicates: str | None, include_duplicates: bool, include_removed: bool, limit: int, as_json: bool,
          as_csv: bool,
          as_table: bool) -> None:
    """List stored articles, newest first: a table on a terminal, JSON Lines when piped.

    \b
    Example:
      newscrawl list --site demo --since 2024-05-01 --limit 10
      newscrawl list --duplicates only
      newscrawl list --limit 0 | jq -r .title
    """
    from storage.report import iter_records

    mode = _output_mode(as_json, as_csv, as_table)
    selection = _selection(site, category, since, until, duplicates, include_duplicates, limit, include_removed)
    repo = open_repo(db_url)
    records = iter_records(repo.engine, selection)
    if mode == "table":
        print_table(records)
    else:
        _emit(records, mode)


@main.command()
@click.argument("key")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="The record as JSON.")
@click.option("--versions", is_flag=True, help="Also list the record's earlier versions.")
@click.option("--width", type=click.IntRange(min=20), help="Wrap the body to this many columns [default: terminal].")
def show(key: str, db_url: str | None, as_json: bool, versions: bool, width: int | None) -> None:
    """Show one stored article by ID or URL: every field, then the body wrapped; --versions
    lists every stored version of it.

    \b
    Example:
      newscrawl show 1
      newscrawl show https://example.com/news/1.html --versions
      newscrawl show 1 --json | jq .source
    """
    from crawler.parsing.urls import canonicalize

    repo = open_repo(db_url)
    record = repo.get(key, None if key.isdigit() else canonicalize(key))
    if record is None:
        raise click.ClickException(f"no article with id or URL {key!r}")
    history = repo.versions(int(record.id), include_current=True) if versions else []
    if as_json:
        data = record.to_dict()
        if versions:
            data["versions"] = history
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    width = width or min(100, _terminal_width())
    crumbs = " > ".join(c.name for c in record.breadcrumb)
    source = record.source
    parts = (source.name, source.author, source.account_id, source.channel, source.line) if source else ()
    source_text = " · ".join(dict.fromkeys(v for v in parts if v))
    images = [f"{i.src}" + (f"  ({i.caption or i.alt})" if (i.caption or i.alt) else "") for i in record.images]
    rows: list[tuple[str, Any]] = [
        ("id", record.id), ("title", record.title), ("title raw", record.title_raw if record.title_raw != record.title
                                                     else None),
        ("spam prefix", record.title_spam_prefix), ("url", record.url),
        ("canonical", record.canonical_url if record.canonical_url != record.url else None), ("site", record.site),
        ("breadcrumb", crumbs), ("category", record.category), ("published", record.published_at),
        ("as written", record.published_raw), ("modified", record.modified_at), ("as written", record.modified_raw),
        ("paywalled", None if record.paywalled is None else "yes" if record.paywalled else "no"),
        ("authors", ", ".join(record.authors)), ("source", source_text),
        ("tags", ", ".join(record.tags)), ("language", record.language), ("comments", record.comment_count),
        ("views", record.view_count), ("duplicate of", record.duplicate_of), ("fetched", record.fetched_at),
        ("http status", record.http_status), ("content hash", record.content_hash),
        ("summary", (record.summary or "") + (" [truncated]" if record.summary and record.summary_truncated else "")),
    ]
    for label, value in rows:
        if value in (None, "", []):
            continue
        lines = wrap(str(value), max(20, width - 14))
        click.echo(f"{label:>12}: {lines[0]}")
        for line in lines[1:]:
            click.echo(" " * 14 + line)
    for n, image in enumerate(images, 1):
        click.echo(f"{'image ' + str(n):>12}: {image}")
    click.echo("")
    for block in record.body_blocks:
        for line in wrap(block, width):
            click.echo(line)
        click.echo("")
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
@click.argument("query")
@DB_OPTION
@_filter_options
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="At most N hits; 0: all.")
@_format_options
@click.option("--reindex", is_flag=True, help="Rebuild the search index from scratch first.")
def search(query: str, db_url: str | None, site: str | None, category: str | None, since: str | None,
           until: str | None, duplicates: str | None, include_duplicates: bool, include_removed: bool, limit: int,
           as_json: bool,
           as_csv: bool, as_table: bool, reindex: bool) -> None:
    """Full-text search over title, summary and body, best match first. Words and
    "quoted phrases" must all match; Chinese works without spaces (天气, 天气预报).
    A table on a terminal, JSON Lines (the record plus score and snippet) when piped.

    The index is brought up to date first: articles stored since the last search are
    indexed now, so the first search after a large crawl takes longer (progress on stderr).

    \b
    Example:
      newscrawl search 天气
      newscrawl search '"climate change" report' --site example --since 2024-01-01
    """
    from storage import search as fts

    mode = _output_mode(as_json, as_csv, as_table)
    selection = _selection(site, category, since, until, duplicates, include_duplicates, limit, include_removed)
    repo = open_repo(db_url)
    try:
        if reindex:
            fts.index_for(repo.engine).rebuild(progress=_report_indexed)
        hits = fts.search(repo.engine, query, selection, progress=_report_indexed)
    except fts.SearchError as exc:
        raise click.ClickException(str(exc)) from exc
    found = list(fts.iter_hits_records(repo.engine, hits))
    records = [record for _, record in found]
    extra = {record.id: {"score": round(hit.score, 4), "snippet": fts.snippet(record.body_text, query)}
             for hit, record in found}
    if mode == "table":
        print_table(records, {k: v["snippet"] for k, v in extra.items()})
    else:
        _emit(records, mode, extra)


@main.command()
@DB_OPTION
@click.option("--rebuild", is_flag=True, help="Index every article again, from scratch.")
def index(db_url: str | None, rebuild: bool) -> None:
    """Bring the full-text search index up to date now, instead of at the next search.

    Crawls only queue what they store; searching indexes the queue first. After a large
    crawl, run this (for example right after a scheduled crawl) so the next search is quick.

    \b
    Example:
      newscrawl index --db postgresql://localhost/news
    """
    from storage import search as fts

    repo = open_repo(db_url)
    started = time.monotonic()
    index = fts.index_for(repo.engine)
    try:
        done = index.rebuild(progress=_report_indexed) if rebuild else index.sync(progress=_report_indexed)
    except (fts.SearchError, sqlite3.Error) as exc:
        raise click.ClickException(f"cannot update the search index: {exc}") from exc
    click.echo(f"search index: {done} articles indexed in {time.monotonic() - started:.1f} s", err=True)


def _report_indexed(done: int) -> None:
    """Progress of a search index catching up with a backlog, on stderr."""
    click.echo(f"search index: {done} articles indexed", err=True)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--runs", type=click.IntRange(min=0), default=10, show_default=True, help="How many recent runs.")
def stats(db_url: str | None, as_json: bool, runs: int) -> None:
    """Per site and per run: records, duplicates, paywalled records (per site), rejects
    (with reasons), failures and how often each field is filled. A run whose fill rate for a field falls well below its
    site's is flagged: the site's layout may have changed.

    \b
    Example:
      newscrawl stats
      newscrawl stats --json | jq '.sites[] | {site, fill}'
    """
    from storage.report import FILL_FIELDS, selector_lines
    from storage.report import stats as report

    repo = open_repo(db_url)
    data = report(repo.engine, runs=runs)
    store = repo.stats()  # what the store keeps besides articles: versions, raw pages, the LSH index
    data.update({key: store[key] for key in ("past_versions", "raw_pages", "neardup_index") if key in store})
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {data['articles']} ({data['duplicates']} duplicates, {data['paywalled']} paywalled), "
               f"rejects: {data['rejects']}, failed URLs: {data['failed']}")
    if data["url_states"]:
        click.echo("url states: " + ", ".join(f"{k} {v}" for k, v in sorted(data["url_states"].items())))
    short = {"published_at": "date", "modified_at": "modif", "body_text": "body", "body_html": "html",
             "comment_count": "cmts", "view_count": "views", "breadcrumb": "crumb", "category": "categ",
             "language": "lang", "summary": "summ", "authors": "auth", "source": "src", "images": "imgs"}
    heads = [short.get(name, name)[:5] for name in FILL_FIELDS]
    click.echo("\nfill rates (% of records with the field):")
    click.echo(f"  {'':24} {'records':>7} {'dups':>5} {'paywl':>5} {'rej':>5} {'fail':>5}  "
               + " ".join(f"{h:>5}" for h in heads))

    def fill_row(fill: dict[str, float]) -> str:
        return " ".join(f"{round(fill[name] * 100):>5}" if name in fill else f"{'':>5}" for name in FILL_FIELDS)

    for row in data["sites"]:
        click.echo(f"  {clip(row['site'], 24)} {row['records']:>7} {row['duplicates']:>5} {row['paywalled']:>5} "
                   f"{row['rejects']:>5} {row['failed']:>5}  {fill_row(row['fill'])}")
    for run in data["runs"]:
        label = f"run {run['id']} {run['site'] or ''}".strip()
        click.echo(f"  {clip(label, 24)} {run['records_written']:>7} {run['duplicate']:>5} {'':>5} "
                   f"{run['rejected']:>5} {run['failed']:>5}  {fill_row(run['fill'])}")
    if data["reject_reasons"]:
        click.echo("\nreject reasons: " + ", ".join(f"{k} {v}" for k, v in data["reject_reasons"].items()))
    if data["runs"]:
        click.echo("\nruns:")
    for run in data["runs"]:
        reasons = ", ".join(f"{k} {v}" for k, v in run["reject_reasons"].items())
        click.echo(f"  run {run['id']} {run['status']} {run['started_at']}: {run['pages']} pages, {run['new']} new, "
                   f"{run['updated']} updated, {run['unchanged']} unchanged, {run['duplicate']} duplicate, "
                   f"{run['rejected']} rejected, {run['failed']} failed, {run['errors']} errors"
                   + (f" (rejects: {reasons})" if reasons else ""))
        for line in selector_lines(run.get("selectors") or {}):
            click.echo(f"    {line}")
    for warning in data["warnings"]:
        click.echo(click.style("warning: ", fg="yellow") + warning)


@main.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "atom", "html"]), default="jsonl",
              show_default=True, help="atom and html: sanitised bodies with attribution, safe to republish.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE atomically [default: stdout].")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM so Excel reads Chinese text right.")
@_filter_options
@click.option("--limit", type=click.IntRange(min=1), help="At most this many records.")
@click.option("--changes-since", "cursor", metavar="NAME",
              help="Only records stored or changed since the last complete export with this cursor NAME "
                   "(kept in the database; the first export of a name takes everything). The cursor moves "
                   "only once the output is complete.")
@click.option("--stored-since", metavar="TIME",
              help="Only records stored or changed (new text or title) at or after TIME (YYYY-MM-DD or ISO 8601; "
                   "without an offset: UTC), whatever their publication date.")
@click.option("--run", "run_id", type=int, metavar="ID",
              help="Only records the crawl run ID (see `newscrawl runs`) stored or changed.")
@click.option("--fields", metavar="A,B,...",
              help="csv, json, jsonl: only these fields, in this order (CSV also has source_name) "
                   "[default: every field, in the record schema's order].")
@click.option("--feed-id", metavar="IRI", help="Atom: the feed's permanent id [default: derived from the filters].")
@click.option("--feed-title", metavar="TEXT", help="Atom: the feed's title.")
@click.option("--feed-url", metavar="URL", help="Atom: where the feed will be published (its rel=self link).")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def export(db_url: str | None, fmt: str, out: str | None, excel: bool, site: str | None, category: str | None,
           since: str | None, until: str | None, duplicates: str | None, include_duplicates: bool,
           include_removed: bool, limit: int | None, cursor: str | None, stored_since: str | None,
           run_id: int | None, fields: str | None, feed_id: str | None,
           feed_title: str | None, feed_url: str | None, quiet: bool) -> None:
    """Export stored records (newest first) as CSV, a JSON array, JSON Lines, an Atom feed or
    HTML, streamed (constant memory however many records). Records that duplicate another
    one are left out unless --duplicates include, records whose page was taken down unless
    --include-removed (an Atom feed always carries them, as RFC 6721 deleted entries, so
    feed readers drop them). On a terminal, progress goes to stderr.

    \b
    Example:
      newscrawl export --format csv --excel --out articles.csv
      newscrawl export --format atom --site demo --feed-url https://example.org/demo.atom --out demo.atom
      newscrawl export --format jsonl --since 2024-05-01 | gzip > may.jsonl.gz
      newscrawl export --format csv --fields url,title,published_at,authors --out titles.csv
      newscrawl export --changes-since hourly --out new.jsonl   # what is new since the last run of this line
      newscrawl export --stored-since 2024-05-01T06:00 --out morning.jsonl
      newscrawl export --run 42 --format csv --out run42.csv    # what crawl run 42 stored or changed
    """
    from dataclasses import replace
    from urllib.parse import quote

    from storage.export import atomic_output, check_fields, with_progress, write_records
    from storage.export_cursors import check_name, mark_exported
    from storage.report import iter_records

    # Atom: taken-down records are in the feed, as deleted entries (storage.export.write_atom).
    selection = _selection(site, category, since, until, duplicates, include_duplicates, limit,
                           include_removed or fmt == "atom")
    if cursor is not None:
        try:
            selection = replace(selection, changes_since=check_name(cursor))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--changes-since") from exc
    repo = open_repo(db_url)
    selection = _incremental(repo.engine, selection, stored_since, run_id)
    chosen = None
    if fields is not None:
        try:
            chosen = check_fields(fields.split(","), fmt)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--fields") from exc
    if fmt != "atom" and (feed_id or feed_title or feed_url):
        raise click.UsageError("--feed-id, --feed-title and --feed-url are for --format atom")
    if excel and fmt != "csv":
        raise click.UsageError("--excel is for --format csv")
    scope = ";".join(f"{k}={quote(str(v), safe='')}" for k, v in (("site", site), ("category", category))
                     if v) or "all"
    feed = {"feed_id": feed_id or f"urn:newscrawl:export:{scope}",
            "title": feed_title or ("newscrawl: " + ", ".join(v for v in (site, category) if v) if site or category
                                    else "newscrawl export"),
            "self_url": feed_url}
    stream = None if quiet or not _is_terminal(sys.stderr) else sys.stderr
    written: list[tuple[int, int]] | None = [] if cursor else None
    records = with_progress(iter_records(repo.engine, selection, versions=written), stream)
    try:
        with atomic_output(out) as handle:
            count = write_records(records, fmt, handle, bom=excel, feed=feed, fields=chosen)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    if cursor and written is not None:  # the output is complete: only now does the cursor move
        mark_exported(repo.engine, cursor, written)
    if out and not quiet:
        click.echo(f"{count} records written to {out}", err=True)


def _incremental(engine: Any, selection: Any, stored_since: str | None, run_id: int | None) -> Any:
    """``selection`` narrowed by ``--stored-since`` and ``--run`` (``storage.export_since``)."""
    from dataclasses import replace

    from storage.export_since import run_window

    if stored_since is not None:
        since = parse_date_option(stored_since)
        selection = replace(selection, stored_since=max(filter(None, (since, selection.stored_since))))
    if run_id is not None:
        try:
            site, started, finished = run_window(engine, run_id)
        except LookupError as exc:
            raise click.BadParameter(str(exc), param_hint="--run") from None
        if selection.site and site and selection.site != site:
            raise click.UsageError(f"run {run_id} crawled {site}, not {selection.site}")
        since = max(filter(None, (started, selection.stored_since)))
        selection = replace(selection, site=site or selection.site, stored_since=since, stored_until=finished)
    return selection
