"""``newscrawl reparse``: run the current parsers over stored raw pages and update records.

Raw pages are kept when a crawl runs with NEWSCRAWL_KEEP_RAW on. After a parser fix, this
brings the stored records up to date without fetching anything: each page takes the crawl's
own path (``crawler.article.process_page``: parsed, judged, cleaned and checked, with the
site profile's options and ``script`` when a profile of that name exists), then is stored
through the same ``store_batch``, so a changed text becomes a new version, an unchanged one
only moves ``last_seen``, and a page that no longer parses as an article is recorded as a
reject (its stored article is kept). An article merged from several pages is merged
again from all of them (the crawl keeps every page). A kept page older than its article's current version
(a later crawl ran without keeping pages) is skipped as stale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import click

from crawler.article import process_page
from crawler.cli import main
from crawler.cli.common import DB_OPTION, EXIT_LOST, open_repo
from crawler.parsing import ParseOptions


@lru_cache(maxsize=64)
def _profile_settings(site: str | None) -> tuple[ParseOptions, str]:
    """Parse options and script for ``site``: its profile when one has that name, else defaults."""
    from crawler.profiles import ProfileError, find_profile

    if site:
        try:
            profile = find_profile(site)
        except ProfileError:
            profile = None
        if profile is not None and profile.name == site:
            return profile.parse_options(), profile.script
    return ParseOptions(site=site), "keep"


def reparse_pages(repo: Any, site: str | None = None, batch_size: int = 100, run_id: int | None = None,
                  progress: Callable[[int], None] | None = None) -> Counter[str]:
    """Re-parse every stored raw page (of ``site``) and store the results; returns the
    count of each outcome (new, updated, unchanged, duplicate, rejected, and stale: pages
    older than the stored version, left alone so a record never goes back in time)."""
    from storage.outcomes import Rejected

    counts: Counter[str] = Counter()
    batch: list[Any] = []

    def flush() -> None:
        if batch:
            counts.update(repo.store_batch(batch, run_id))
            batch.clear()

    for stored in repo.iter_raw_pages(site):
        if stored.stale:
            counts["stale"] += 1
            continue
        page = stored.page
        options, script = _profile_settings(stored.site or site)
        try:
            fetched = datetime.fromisoformat(page.fetched_at) if page.fetched_at else None
        except ValueError:
            fetched = None
        # a multi-page article is merged again from every page kept (``crawl --keep-raw`` keeps them all)
        outcome = process_page(page.body, page.url, options, fetched or datetime.now(UTC), page.http_status,
                               page.encoding, want_article=True, want_links=False, script=script, parts=page.parts,
                               single_view=page.single_view)
        if outcome.record is not None and outcome.invalid is None:
            batch.append(outcome.record)
        else:
            why = (f"invalid: {outcome.invalid}" if outcome.record is not None
                   else f"not parsed: {outcome.error}" if outcome.error else f"not an article: {outcome.reason}")
            batch.append(Rejected(page.url, f"reparse: {why}", page.canonical_url))
        if len(batch) >= batch_size:
            flush()
            if progress:
                progress(sum(counts.values()))
    flush()
    return counts


@main.command()
@DB_OPTION
@click.option("--site", help="Only pages of this site.")
@click.option("--batch-size", type=click.IntRange(min=1), default=100, show_default=True)
def reparse(db_url: str | None, site: str | None, batch_size: int) -> None:
    """Re-run the parsers over stored raw pages (kept by crawls with NEWSCRAWL_KEEP_RAW) and
    update the records: changed text becomes a new version.

    \b
    Example:
      newscrawl reparse --db sqlite:///news.db --site demo
    """
    from storage.db import StorageError

    repo = open_repo(db_url)
    run_id = repo.start_run("reparse", site, {"site": site})
    try:
        counts = reparse_pages(repo, site, batch_size, run_id)
    except StorageError as exc:
        repo.finish_run(run_id, "failed", {})
        raise click.ClickException(str(exc)) from exc
    total = sum(counts.values())
    repo.finish_run(run_id, "finished", {"pages": total - counts["stale"], "items_new": counts["new"],
                                         "items_updated": counts["updated"], "items_unchanged": counts["unchanged"],
                                         "items_duplicate": counts["duplicate"], "items_rejected": counts["rejected"]})
    if total == 0:
        click.echo("no raw pages stored" + (f" for site {site}" if site else "")
                   + " (crawl with NEWSCRAWL_KEEP_RAW=True to keep them)", err=True)
        return
    click.echo(f"reparsed {total} pages: " + ", ".join(f"{counts[k]} {k}" for k in
                                                       ("new", "updated", "unchanged", "duplicate", "rejected",
                                                        "stale")),
               err=True)
    if total != sum(counts[k] for k in ("new", "updated", "unchanged", "duplicate", "rejected", "stale")):
        raise SystemExit(EXIT_LOST)
