"""Crawling commands: ``crawl`` and ``demo``."""

from __future__ import annotations

import sys
from typing import Any

import click

from crawler.cli import main
from crawler.cli.common import DB_OPTION, EXIT_LOST, open_repo
from crawler.cli.store_cmds import print_table
from storage.db import database_url


@main.command()
@click.argument("targets", nargs=-1, required=True)
@DB_OPTION
@click.option("--profile", type=click.Choice(["polite", "fast"]), default="polite", show_default=True,
              help="polite: robots.txt, AutoThrottle, delays. fast: for sites you own or may crawl hard.")
@click.option("--site", help="Site name stored with the records [default: the registered domain].")
@click.option("--no-follow", is_flag=True, help="Fetch only the given URLs (and sitemap/feed entries).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many responses.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO",
              show_default=True)
def crawl(targets: tuple[str, ...], db_url: str | None, profile: str, site: str | None, no_follow: bool,
          max_pages: int | None, log_level: str) -> None:
    """Crawl TARGETS and store the articles. A target is a start URL (a page, listing page,
    sitemap or feed) or a site profile (a name from `newscrawl profiles list`, or a .toml path).

    Exits 0 only when every item was stored; 1 when anything could not be.

    \b
    Examples:
      newscrawl crawl --db sqlite:///news.db https://example.com/sitemap.xml
      newscrawl crawl ./profiles/mysite.toml --profile fast
    """
    urls, site_profile = _split_targets(targets)
    open_repo(db_url)  # fail fast, before Scrapy starts, on a bad database URL
    result = _run(urls, db_url, profile, site, log_level, max_pages, follow=not no_follow, site_profile=site_profile)
    _report(result, db_url)
    if not result.ok:
        sys.exit(EXIT_LOST)


def _split_targets(targets: tuple[str, ...]) -> tuple[list[str], Any]:
    """URLs and at most one site profile among the crawl targets."""
    from crawler.profiles import ProfileError, find_profile

    urls, profiles = [], []
    for target in targets:
        if target.startswith(("http://", "https://")):
            urls.append(target)
        elif "://" in target or target.startswith(("file:", "data:", "javascript:")):
            raise click.BadParameter(f"{target!r} is not an http(s) URL", param_hint="TARGETS")
        else:
            try:
                profiles.append(find_profile(target))
            except ProfileError as exc:
                raise click.ClickException(str(exc)) from exc
    if len(profiles) > 1:
        raise click.UsageError("give at most one site profile per crawl")
    return urls, (profiles[0] if profiles else None)


def _run(urls: list[str], db_url: str | None, profile: str, site: str | None, log_level: str,
         max_pages: int | None = None, follow: bool = True, site_profile: Any = None):  # noqa: ANN202
    from crawler.runner import run_crawl

    overrides: dict[str, Any] = {"LOG_LEVEL": log_level}
    if max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = max_pages
    return run_crawl(urls, database_url(db_url), profile=profile, site=site, overrides=overrides, follow=follow,
                     site_profile=site_profile)


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
    """Serve the bundled demo news site on 127.0.0.1 and crawl it into the database
    (with the `demo` site profile: its home page, sitemap and RSS feed).

    \b
    Example:
      newscrawl demo --db sqlite:///demo.db
    """
    from crawler.demo.server import DemoServer
    from crawler.profiles import find_profile

    open_repo(db_url)
    with DemoServer(port=port) as server:
        click.echo(f"demo site at {server.base_url}/", err=True)
        site_profile = find_profile("demo").with_base_url(server.base_url)
        result = _run([], db_url, "fast", None, "WARNING", site_profile=site_profile)
    _report(result, db_url)
    repo = open_repo(db_url)
    from storage.repository import Filters

    rows = list(repo.iter_records(Filters(site="demo")))
    print_table(rows)
    click.echo(f"\n{len(rows)} demo articles stored in {database_url(db_url)} "
               "(try: newscrawl list, newscrawl show ID, newscrawl export --format json)")
    if not result.ok:
        sys.exit(EXIT_LOST)


