"""Crawling commands: ``crawl``, ``demo`` and ``runs``.

Exit codes of ``crawl`` (``crawler.exitcodes``): 0 the run did its work (dead links it
followed are recorded and counted); 1 something could not be stored or the crawl did not
finish; 2 bad arguments (or a render site without a browser); 3 nothing could be fetched,
or a start URL, sitemap or feed failed; 65 layout drift with ``--fail-on-drift``; 75 another
crawl of the same site is running.
With several site profiles (``crawler.multisite``) each site gets its own code and run, and
the process exits with the most serious one (0 only if every site did its work).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from crawler.cli import main
from crawler.cli.common import DB_OPTION, open_repo, parse_date_option
from crawler.cli.store_cmds import print_table
from crawler.exitcodes import EXIT_DRIFT, EXIT_OK
from crawler.lock import EXIT_LOCKED, AlreadyRunning, SiteLock


def database_url(db_url: str | None) -> str:
    """The store's URL (imported late: see ``crawler.cli.common.open_repo``)."""
    from storage.db import database_url as resolve

    return resolve(db_url)


@main.command()
@click.argument("targets", nargs=-1)
@DB_OPTION
@click.option("--url", "urls", multiple=True, metavar="URL",
              help="An article URL to fetch and store (repeatable); no links are followed from it.")
@click.option("--urls-file", type=click.Path(dir_okay=False), help="A file of article URLs, one a line.")
@click.option("--preset", type=click.Choice(["polite", "fast"]), default=None,
              help="How hard to crawl. polite (default): robots.txt, AutoThrottle, delays. fast: for sites you "
                   "own or may crawl hard. (Not a site profile: those are crawl targets.)")
@click.option("--profile", "old_preset", type=click.Choice(["polite", "fast"]), default=None, hidden=True,
              help="The old name of --preset, kept so existing cron lines run.")
@click.option("--site", help="Site name stored with the records [default: the profile name, else the domain].")
@click.option("--since", metavar="DATE", help="Skip articles listed or published before DATE (YYYY-MM-DD).")
@click.option("--no-follow", is_flag=True, help="Do not follow links from start pages (sitemaps/feeds still are).")
@click.option("--max-pages", type=click.IntRange(min=1),
              help="Fetch at most this many pages (robots.txt and retries aside), requests in flight included; "
                   "what is not fetched is recorded as skipped.")
@click.option("--keep-raw", is_flag=True, help="Also keep each article page's bytes (compressed) for `reparse`.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO",
              show_default=True)
@click.option("--resume", is_flag=True,
              help="Continue after a crash or kill: the same command plus --resume. The crawl state is in the "
                   "database, so stored articles are not fetched again and unfinished ones are.")
@click.option("--quiet", "-q", is_flag=True,
              help="Only warnings, errors and the final summary: no progress line, no INFO log "
                   "(unless --log-level is given).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per log line, for schedulers and log collectors.")
@click.option("--redis", "redis_url", metavar="URL",
              help="Share the frontier with other processes through Redis (scrapy-redis), e.g. redis://127.0.0.1:6379/0."
                   " Start the same command on several processes or machines; each exits when the frontier"
                   " stays empty for NEWSCRAWL_REDIS_IDLE_TIMEOUT seconds (default 10).")
@click.option("--fail-on-drift", is_flag=True,
              help="Exit 65 when the run did its work but its layout drifted: a field's fill rate fell well below "
                   "the site's (as `stats` warns) or a profile selector matched nothing. Drift is reported in "
                   "the summary line and JSON log either way.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy/newscrawl setting, e.g. -s DOWNLOAD_TIMEOUT=10 (repeatable).")
def crawl(targets: tuple[str, ...], db_url: str | None, urls: tuple[str, ...], urls_file: str | None,
          preset: str | None, old_preset: str | None,
          site: str | None, since: str | None, no_follow: bool, max_pages: int | None, keep_raw: bool,
          log_level: str, settings: tuple[str, ...], redis_url: str | None, quiet: bool, log_format: str,
          resume: bool, fail_on_drift: bool) -> None:
    """Crawl TARGETS and store the articles. A target is a start URL (a page, listing page,
    sitemap or feed) or a site profile (a name from `newscrawl profiles list`, or a .toml path).

    Several site profiles are crawled together in this one process: each site with its own
    delay, concurrency, robots.txt, lock, run record and exit code; CONCURRENT_REQUESTS
    (-s) limits the requests in flight across all of them (16, or 32 with --preset fast) and
    NEWSCRAWL_SITES_AT_ONCE (-s, default 50, 12 on PostgreSQL) how many sites are crawled at
    a time (memory, database connections);
    --max-pages is per site. One summary line per site, then one for the whole run.

    Articles stored by earlier runs are not fetched again unless a sitemap or feed lists
    them as changed. One crawl per site runs at a time (safe under cron).

    A site whose profile says render = "browser" (pages built by script) has its article and
    listing pages built by headless Chromium before they are parsed: at most
    NEWSCRAWL_RENDER_CONCURRENCY pages at once (-s, default 2), NEWSCRAWL_RENDER_TIMEOUT
    seconds each (-s, default 20; a page that does not settle is recorded as failed), the
    browser from NEWSCRAWL_BROWSER (-s, default: chromium on PATH). Needs Chromium and
    `pip install 'newscrawl[render]'`; without them the crawl stops at once with exit 2.

    \b
    Exit codes (counts are printed and recorded whatever the code):
      0   the run did its work; dead links it followed are recorded and counted
      1   items could not be stored (kept for the next run), or the crawl did not finish
      2   bad arguments, or a render = "browser" site and no browser to render it
      3   nothing could be fetched (site down, connection refused, every answer an
          error), or a start URL, sitemap or feed itself failed
      65  --fail-on-drift and the layout drifted (fill rate drop, a selector matched nothing)
      75  another crawl of this site into this database is running (try later)
    With several sites: each site's code is in its summary line; the process exits 0
    only if every site's is 0, else with the most serious: 1, then 3, then 65, then 75.

    \b
    Examples:
      newscrawl crawl --db sqlite:///news.db https://example.com/sitemap.xml
      newscrawl crawl demo --preset fast
      newscrawl crawl site-a site-b ./profiles/site-c.toml --db sqlite:///news.db
      newscrawl crawl --url https://example.com/news/1.html --url https://example.com/news/2.html
    """
    starts, profiles = _split_targets(targets)
    overrides = _settings(settings)  # checked before anything is created
    _check_browser(profiles, overrides)
    if preset and old_preset and preset != old_preset:
        raise click.UsageError(f"--preset {preset} and --profile {old_preset} disagree (--profile is its old name)")
    preset = preset or old_preset or "polite"
    explicit = click.get_current_context().get_parameter_source("log_level") != ParameterSource.DEFAULT
    if quiet and not explicit:  # -q: warnings, errors and the final summary only (an explicit --log-level wins)
        log_level = "WARNING"
    if len(profiles) > 1:
        if starts or urls or urls_file or site or redis_url:
            raise click.UsageError("with several site profiles, give no start URLs, --url, --urls-file, --site "
                                   "or --redis (each profile says what to crawl)")
        _crawl_sites(profiles, db_url, preset, _run_overrides(log_level, log_format, overrides, max_pages, keep_raw),
                     follow=not no_follow, since=parse_date_option(since), log_format=log_format,
                     fail_on_drift=fail_on_drift)
        return
    site_profile = profiles[0] if profiles else None
    articles = list(urls) + _read_urls_file(urls_file)
    for url in articles:
        if urlsplit(url).scheme not in ("http", "https"):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--url")
    if not starts and not articles and site_profile is None:
        raise click.UsageError("nothing to crawl: give a start URL, a site profile, --url or --urls-file")
    open_repo(db_url)  # fail fast, before Scrapy starts, on a bad database URL
    key = site or (site_profile.name if site_profile else None) or ",".join(
        sorted({urlsplit(u).hostname or "" for u in starts + articles}))
    if resume:
        _announce_resume(db_url, site or (site_profile.name if site_profile else None) or key)
    extra = _run_overrides(log_level, log_format, overrides, max_pages, keep_raw,
                           progress=not quiet and log_format == "text" and sys.stderr.isatty())
    if redis_url:
        from crawler.runner import redis_settings

        extra = {**redis_settings(redis_url, re.sub(r"[^\w.,-]", "_", key)), **extra}
    run = partial(_run, starts, db_url, preset, site, extra, follow=not no_follow, site_profile=site_profile,
                  articles=articles, since=parse_date_option(since))
    try:
        if redis_url:  # several processes crawl the site together on purpose: no site lock
            result = run()
        else:
            with SiteLock(database_url(db_url), key):
                result = run()
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    drift = _drift(db_url, result.stats, site_profile)
    _report(result, db_url, as_json=log_format == "json", drift=drift)
    if fail_on_drift and drift and result.exit_code == EXIT_OK:
        click.echo(f"error: layout drift: {len(drift)} sign(s) (exit {EXIT_DRIFT})", err=True)
        sys.exit(EXIT_DRIFT)
    sys.exit(result.exit_code)


def _drift(db_url: str | None, stats: dict[str, Any], profile: Any) -> list[str]:
    """The run's layout drift signs (``crawler.drift``); none when the run never started."""
    if stats.get("newscrawl/run_id") is None:
        return []
    from crawler.drift import run_drift

    try:
        return run_drift(open_repo(db_url).engine, stats, profile.selectors if profile is not None else ())
    except Exception as exc:  # noqa: BLE001 - the report must not cost the run its exit code
        click.echo(f"warning: could not check for layout drift: {exc}", err=True)
        return []


def _crawl_sites(profiles: list[Any], db_url: str | None, preset: str, extra: dict[str, Any], follow: bool,
                 since: datetime | None, log_format: str, fail_on_drift: bool) -> None:
    """Several site profiles in this process (``crawler.multisite``): a summary line per site
    as it finishes, then one for the run; exits with the most serious per-site code."""
    from crawler.multisite import SiteRun, run_sites, worst_code

    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise click.UsageError("a site profile is given twice: " + ", ".join(sorted({n for n in names
                                                                                     if names.count(n) > 1})))
    open_repo(db_url)  # fail fast, and migrate once, before the sites' crawlers open it together
    codes: dict[str, int] = {}

    def done(run: SiteRun) -> None:
        drift = _drift(db_url, run.result.stats, run.profile) if run.result is not None else []
        code = run.exit_code
        if fail_on_drift and drift and code == EXIT_OK:
            code = EXIT_DRIFT
        codes[run.name] = code
        if run.result is not None and run.error is None:
            _report(run.result, db_url, as_json=log_format == "json", drift=drift, site=run.name, code=code)
        elif log_format == "json":
            click.echo(json.dumps({"event": "crawl_finished", "site": run.name, "ok": False, "exit_code": code,
                                   "why": run.why}), err=True)
        else:
            click.echo(f"error: [{run.name}] {run.why} (exit {code})", err=True)

    run_sites(profiles, database_url(db_url), preset, extra,
              {"follow": follow, "since": since}, on_done=done)
    final = worst_code(list(codes.values()))
    ok = sum(1 for c in codes.values() if c == EXIT_OK)
    if log_format == "json":
        click.echo(json.dumps({"event": "crawl_sites_finished", "sites": len(codes), "ok": ok, "exit_code": final,
                               "codes": codes}), err=True)
    else:
        bad = ", ".join(f"{name} {code}" for name, code in sorted(codes.items()) if code != EXIT_OK)
        click.echo(f"crawled {len(codes)} sites in one process: {ok} ok" + (f", exit codes: {bad}" if bad else "")
                   + f" (exit {final})", err=True)
    sys.exit(final)


def _announce_resume(db_url: str | None, site: str) -> None:
    """Say which interrupted run is being continued (the work itself needs nothing special:
    URLs whose records are committed are skipped, the others are fetched)."""
    from storage.crawlstate import recent_runs

    runs = [r for r in recent_runs(open_repo(db_url).engine, 20) if r["site"] in (site, None)]
    unfinished = [r for r in runs if r["status"] in ("running", "crashed", "interrupted", "failed")]
    if unfinished:
        click.echo(f"resuming after run {unfinished[0]['id']} ({unfinished[0]['status']}, "
                   f"{unfinished[0]['items_new']} new so far)", err=True)
    else:
        click.echo("nothing to resume: the last run finished; crawling as usual", err=True)


def _settings(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        out[name.strip()] = value
    _check_settings(out)
    return out


def _check_settings(values: dict[str, str]) -> None:
    """newscrawl's own settings with a fixed form are checked here, so a typo is a usage
    error before the crawl starts, not a traceback from inside Scrapy."""
    from crawler.parsing.clean import SCRIPTS
    from crawler.speed.gctune import parse_threshold

    if "NEWSCRAWL_SCRIPT" in values and values["NEWSCRAWL_SCRIPT"] not in SCRIPTS:
        raise click.BadParameter(f"NEWSCRAWL_SCRIPT must be one of {', '.join(SCRIPTS)}", param_hint="--set")
    if "NEWSCRAWL_GC_THRESHOLD" in values:
        try:
            parse_threshold(values["NEWSCRAWL_GC_THRESHOLD"])
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
    if "NEWSCRAWL_RENDER_TIMEOUT" in values:
        try:
            if float(values["NEWSCRAWL_RENDER_TIMEOUT"]) <= 0:
                raise ValueError
        except ValueError:
            raise click.BadParameter("NEWSCRAWL_RENDER_TIMEOUT must be a number of seconds above 0",
                                     param_hint="--set") from None
    if "NEWSCRAWL_RENDER_CONCURRENCY" in values and not (values["NEWSCRAWL_RENDER_CONCURRENCY"].strip().isdigit()
                                                         and int(values["NEWSCRAWL_RENDER_CONCURRENCY"]) >= 1):
        raise click.BadParameter("NEWSCRAWL_RENDER_CONCURRENCY must be a whole number, 1 or more", param_hint="--set")
    for name in ("NEWSCRAWL_PARSE_TIMEOUT", "NEWSCRAWL_FLUSH_SECONDS"):
        if name in values:
            try:
                if float(values[name]) < 0:
                    raise ValueError
            except ValueError:
                raise click.BadParameter(f"{name} must be a number of seconds, 0 or more", param_hint="--set") from None
    for name in ("NEWSCRAWL_PARSE_WORKERS", "NEWSCRAWL_BATCH_SIZE", "NEWSCRAWL_MAX_QUEUED", "NEWSCRAWL_SITES_AT_ONCE"):
        if name in values and not values[name].strip().isdigit():
            raise click.BadParameter(f"{name} must be a whole number, 0 or more", param_hint="--set")


class SetupError(click.ClickException):
    """This machine lacks what a target needs (a browser for a render site): exit 2, one line."""

    exit_code = 2


def _check_browser(profiles: list[Any], overrides: dict[str, str]) -> None:
    """A render = "browser" site on a machine without the browser fails here, in one line that
    says what to install, before Scrapy starts or anything is fetched."""
    rendering = [p.name for p in profiles if p.renders]
    if not rendering:
        return
    from crawler import settings as defaults
    from crawler.render import browser_problem

    problem = browser_problem(overrides.get("NEWSCRAWL_BROWSER", defaults.NEWSCRAWL_BROWSER))
    if problem:
        raise SetupError(f"{', '.join(rendering)}: render = \"browser\" needs a headless browser, but {problem}")


def _read_urls_file(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _split_targets(targets: tuple[str, ...]) -> tuple[list[str], list[Any]]:
    """The start URLs and the site profiles among the crawl targets."""
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
    return urls, profiles


def _run_overrides(log_level: str, log_format: str, overrides: dict[str, str], max_pages: int | None,
                   keep_raw: bool, progress: bool = False) -> dict[str, Any]:
    """The crawl's settings from its options: ``-s`` wins over the log options, and
    ``--max-pages`` / ``--keep-raw`` over ``-s``."""
    extra: dict[str, Any] = {"LOG_LEVEL": log_level, "NEWSCRAWL_LOG_FORMAT": log_format,
                             "NEWSCRAWL_PROGRESS": progress, **overrides}
    if max_pages:
        extra["CLOSESPIDER_PAGECOUNT"] = max_pages
    if keep_raw:
        extra["NEWSCRAWL_KEEP_RAW"] = True
    return extra


def _run(urls: list[str], db_url: str | None, preset: str, site: str | None, overrides: dict[str, Any],
         follow: bool = True, site_profile: Any = None, articles: list[str] | None = None,
         since: datetime | None = None) -> Any:
    from crawler.runner import run_crawl

    return run_crawl(urls, database_url(db_url), preset=preset, site=site, overrides=overrides, follow=follow,
                     site_profile=site_profile, articles=articles, since=since)


def _report(result: Any, db_url: str | None, as_json: bool = False, drift: list[str] | None = None,
            site: str | None = None, code: int | None = None) -> None:
    """The run's summary line (``site``: one of several sites, named in its line; ``code``:
    its exit code when not the result's own, e.g. 65 for drift)."""
    from storage.report import selector_lines, selector_notes

    parts = [f"{result.count(k)} {k}" for k in ("new", "updated", "unchanged", "duplicate", "rejected")]
    stat = lambda key: int(result.stats.get(key, 0) or 0)  # noqa: E731
    drift = drift or []
    code = result.exit_code if code is None else code
    if as_json:
        summary = {"event": "crawl_finished", **({"site": site} if site else {}),
                   "finish_reason": result.finish_reason, "ok": code == EXIT_OK,
                   "exit_code": code, "why": result.why if result.exit_code != EXIT_OK or not drift
                   else "layout drift", "drift": drift, "run_id": result.stats.get("newscrawl/run_id"),
                   "pages": stat("response_received_count"), "rendered": stat("newscrawl/rendered"),
                   "failed": stat("newscrawl/failed"),
                   "skipped": stat("newscrawl/skipped"), "already_stored": stat("newscrawl/skipped_known"),
                   "store_errors": result.store_errors, "db": database_url(db_url),
                   **(selector_notes(result.stats) or {}),
                   **{k: result.count(k) for k in ("new", "updated", "unchanged", "duplicate", "rejected")}}
        click.echo(json.dumps(summary), err=True)
        return
    label = f"[{site}] " if site else ""
    # a render = "browser" site: how many of its pages the browser built (absent for any other site)
    rendered = (f" ({stat('newscrawl/rendered')} rendered)" if "newscrawl/rendered" in result.stats
                or "newscrawl/render_failed" in result.stats else "")
    click.echo(f"crawl {label}{result.finish_reason}: {stat('response_received_count')} pages{rendered}, "
               + ", ".join(parts)
               + f", {stat('newscrawl/failed')} failed, {stat('newscrawl/skipped')} skipped, "
               f"{stat('newscrawl/skipped_known')} already stored"
               + (f", drift: {len(drift)} sign(s)" if drift else "") + f" -> {database_url(db_url)}", err=True)
    for sign in drift:
        click.echo(f"warning: {label}drift: {sign}", err=True)
    notes = selector_notes(result.stats)
    for line in selector_lines(notes["selectors"]) if notes else []:
        click.echo(line, err=True)  # a selector that stopped matching: the site changed
    if not result.ok:
        click.echo(f"error: {label}{result.why} (exit {result.exit_code})", err=True)
    elif site and code != EXIT_OK:
        click.echo(f"error: {label}layout drift (exit {code})", err=True)


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
    from storage.report import Selection

    open_repo(db_url)
    with DemoServer(port=port) as server:
        click.echo(f"demo site at {server.base_url}/", err=True)
        site_profile = find_profile("demo").with_base_url(server.base_url)
        result = _run([], db_url, "fast", None, {"LOG_LEVEL": "WARNING"}, site_profile=site_profile)
    _report(result, db_url)
    rows = list(open_repo(db_url).iter_records(Selection(site="demo")))
    print_table(rows)
    click.echo(f"\n{len(rows)} demo articles stored in {database_url(db_url)} "
               "(try: newscrawl list, newscrawl show ID, newscrawl export --format json)")
    if not result.ok:
        sys.exit(result.exit_code)


@main.command()
@DB_OPTION
@click.option("--site", help="Only runs of this site.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
def runs(db_url: str | None, site: str | None, limit: int, as_json: bool) -> None:
    """List crawl runs, newest first: status, pages, and how many URLs ended in each state
    (new, updated, unchanged, duplicate, rejected, failed, skipped).

    \b
    Example:
      newscrawl runs --site demo --limit 5
    """
    from storage.crawlstate import recent_runs

    rows = recent_runs(open_repo(db_url).engine, limit, site)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    columns = [("new", "items_new"), ("upd", "items_updated"), ("same", "items_unchanged"), ("dup", "items_duplicate"),
               ("rej", "items_rejected"), ("fail", "items_failed"), ("skip", "items_skipped"), ("err", "errors")]
    click.echo(f"{'id':>4}  {'started':19}  {'status':9}  {'site':16}  {'pages':>6}  "
               + "  ".join(f"{label:>5}" for label, _ in columns))
    for r in rows:
        started = r["started_at"].isoformat(sep=" ", timespec="seconds") if r["started_at"] else ""
        click.echo(f"{r['id']:>4}  {started:19}  {r['status']:9}  {(r['site'] or '-')[:16]:16}  {r['pages']:>6}  "
                   + "  ".join(f"{r[key] or 0:>5}" for _, key in columns))
    if rows and not as_json:
        click.echo("(new+upd+same+dup+rej+fail+skip = every URL the run discovered; same includes stored articles "
                   "not fetched again)")
