"""Layout drift of a finished run, for its summary line, its JSON log and ``--fail-on-drift``.

A site that changed its layout still answers 200 and still yields records, so nothing in
the run's counts says so; two signs do:

- fill rates: the run's records fill a field far less often than the site's records as a
  whole (``storage.report.stats`` warnings, the same ``stats`` prints);
- profile selectors that matched nothing: a ``[selectors]`` entry of the profile that
  found no element on any article page the run parsed. The spider counts them in its
  stats (``newscrawl/selector_pages/FIELD``, ``newscrawl/selector_matched/FIELD``, read
  by ``storage.report.selector_notes``); a field without a count is never read as
  "matched nothing".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def selector_drift(stats: Mapping[str, Any], selectors: Iterable[str]) -> list[str]:
    """The profile selectors (field names) that matched on none of the pages they were tried on."""
    from storage.report import selector_notes

    counts = (selector_notes(dict(stats)) or {}).get("selectors", {})
    return [f"selector for {name} matched nothing on {counts[name]['pages']} pages: has the layout changed?"
            for name in sorted(selectors)
            if name in counts and counts[name]["pages"] and not counts[name]["matched"]]


def fill_rate_drift(engine: Any, run_id: int) -> list[str]:
    """The ``stats`` fill-rate warnings of one run (the same rule: a field filled at least
    ``storage.report.DROP`` less often in the run's records than in its site's, over at least
    ``DROP_MIN_RECORDS``), read with two queries on that run and site instead of the whole report."""
    from sqlalchemy import func, select

    from storage.models import Article, CrawlRun, UrlState
    from storage.report import DROP_MIN_RECORDS, _fill_columns, _rates, fill_drops

    with engine.connect() as conn:
        site = conn.execute(select(CrawlRun.site).where(CrawlRun.id == run_id)).scalar()
        if site is None:
            return []
        run_row = conn.execute(
            select(func.count().label("records"), *_fill_columns()).select_from(UrlState)
            .join(Article, Article.id == UrlState.article_id)
            .where(UrlState.run_id == run_id, UrlState.reason.in_(("new", "updated", "duplicate")))).one()
        records = run_row.records or 0
        if records < DROP_MIN_RECORDS:
            return []
        site_row = conn.execute(select(func.count().label("records"), *_fill_columns())
                                .where(Article.site == site)).one()
    return fill_drops(run_id, site, _rates(run_row, records), _rates(site_row, site_row.records), records)


def run_drift(engine: Any, run_stats: Mapping[str, Any], selectors: Iterable[str]) -> list[str]:
    """Every drift sign of one finished run (its stats carry its run id)."""
    run_id = run_stats.get("newscrawl/run_id")
    found = fill_rate_drift(engine, int(run_id)) if run_id is not None else []
    return [*found, *selector_drift(run_stats, selectors)]
