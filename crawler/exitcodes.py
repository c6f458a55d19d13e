"""What a finished crawl tells its scheduler: one exit code and the reason, decided in one
place from the crawl's stats (the CLI exits with it, the store records it in the run's row,
``schedule`` reports it).

- 0 ``EXIT_OK``: the run did its work. Dead links it followed (404s, timeouts, refused
  connections to some pages) are recorded and counted, not a failure of the run; a run cut
  by ``--max-pages`` did its work too.
- 1 ``EXIT_LOST``: something could not be stored (kept in a spill file for the next run, or
  counted as lost), or the crawl did not finish (stopped by a signal, the disk full).
- 3 ``EXIT_UNREACHABLE``: nothing could be fetched (the site is down, refuses connections,
  answers every request with an error), or a start URL, sitemap or feed itself failed.
- 65 ``EXIT_DRIFT`` (only with ``crawl --fail-on-drift``): the run did its work, but the
  site's layout seems to have changed: a field's fill rate dropped (``stats`` warnings) or
  a profile selector matched nothing. The records are stored; someone should look.
- 75 ``EXIT_LOCKED``: another crawl of the same site into the same database is running.
- 2 is click's: bad arguments (and the crawl command's: a ``render = "browser"`` site with no
  browser on the machine).

Counts are printed and recorded whatever the code: a non-zero code never hides a stored result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXIT_OK = 0
EXIT_LOST = 1
EXIT_UNREACHABLE = 3
EXIT_DRIFT = 65  # EX_DATAERR: the pages no longer read as the profile expects
EXIT_LOCKED = 75  # EX_TEMPFAIL: "try again later", what cron wrappers expect

# Finish reasons of a run that did what it was asked: the whole site, or a budget reached.
_DONE = ("finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout",
         "closespider_errorcount", "closespider_timeout_no_item")

STATUS = {EXIT_OK: "finished", EXIT_LOST: "failed", EXIT_UNREACHABLE: "unreachable"}
# Scrapy's finish reason for a crawl stopped by SIGTERM or SIGINT (its graceful shutdown)
SHUTDOWN = "shutdown"


def _int(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def verdict(stats: Mapping[str, Any], finish_reason: str | None = None) -> tuple[int, str]:
    """(exit code, why) for a crawl's stats. With a shared Redis frontier (stat
    ``newscrawl/shared_frontier``) another process may have fetched everything there was, so
    fetching nothing here is no failure."""
    reason = finish_reason or str(stats.get("finish_reason") or "unknown")
    lost = _int(stats, "newscrawl/store_errors")
    if lost:
        return EXIT_LOST, f"{lost} items could not be stored"
    if reason not in _DONE:
        return EXIT_LOST, f"the crawl did not finish ({reason})"
    start_failed = _int(stats, "newscrawl/start_failed")
    if start_failed:
        return EXIT_UNREACHABLE, f"{start_failed} start URL(s), sitemap(s) or feed(s) could not be fetched or read"
    # pages_ok is kept (from 0) by the news spider; without it there is nothing to judge by
    fetched = stats.get("newscrawl/pages_ok")
    if fetched is not None and not stats.get("newscrawl/shared_frontier") and int(fetched) == 0:
        failed = _int(stats, "newscrawl/failed") + _int(stats, "newscrawl/skipped")
        return EXIT_UNREACHABLE, f"nothing could be fetched ({failed} requests failed or were refused)"
    return EXIT_OK, "ok"


def run_status(stats: Mapping[str, Any], finish_reason: str) -> str:
    """The status a run's row records: "finished", "unreachable", "failed" (items lost, a
    full disk...) or "interrupted" (stopped by a signal with everything it had stored: run
    the same command again, or with ``--resume``)."""
    code, _ = verdict(stats, finish_reason)
    if code == EXIT_LOST and finish_reason == SHUTDOWN and not _int(stats, "newscrawl/store_errors"):
        return "interrupted"
    return STATUS[code]
