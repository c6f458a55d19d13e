"""``schedule``: run crawl jobs on intervals in one long-lived process."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from crawler.cli import main
from crawler.cli.common import DB_OPTION


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@DB_OPTION
@click.option("--once", is_flag=True, help="Run every job one time, then exit (1 if any failed).")
@click.option("--duration", type=float, metavar="SECONDS", help="Stop after this long [default: run forever].")
def schedule(file: str, db_url: str | None, once: bool, duration: float | None) -> None:
    """Run the crawl jobs of a schedule FILE (TOML) on their intervals.

    Each run is a separate `newscrawl crawl` process; a job whose last run is still going
    is skipped for that turn. See "Scheduling" in the README for the file format and for
    cron and systemd timers instead.

    \b
    Example schedule.toml:
      [[job]]
      name = "demo"
      targets = ["demo"]
      every = "30m"
    Run it:
      newscrawl schedule schedule.toml --db sqlite:///news.db
    """
    from crawler.schedule import ScheduleError, load_schedule, run_schedule

    try:
        jobs = load_schedule(file)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc

    def log(message: str) -> None:
        click.echo(f"{datetime.now().isoformat(sep=' ', timespec='seconds')} {message}", err=True)

    try:
        sys.exit(run_schedule(jobs, db_url, log, once=once, duration=duration))
    except KeyboardInterrupt:
        log("stopped")
