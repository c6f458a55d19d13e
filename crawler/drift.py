"""Layout drift of a finished run, for its summary line, its JSON log and ``--fail-on-drift``.

A site that changed its layout still answers 200 and still yields records, so nothing in
the run's counts says so; two signs do:

- fill rates: the run's records fill a field far less often than the site's records as a
  whole (``storage.report.stats`` warnings, the same ``stats`` prints);
- profile selectors that matched nothing: a ``[selectors]`` entry of the profile that
  found no element on any page the run parsed. The spider/parser reports these through
  its stats: ``newscrawl/selectors/pages`` (pages the profile's selectors were tried on)
  and ``newscrawl/selectors/matched/<field>`` (pages where that field's selector matched).
  Until the parser keeps those counts the stat is absent and this sign stays silent:
  a missing count is never read as "matched nothing".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SELECTOR_PAGES = "newscrawl/selectors/pages"
SELECTOR_MATCHED = "newscrawl/selectors/matched/"


def selector_drift(stats: Mapping[str, Any], selectors: Iterable[str]) -> list[str]:
    """The profile selectors (field names) that matched on none of the pages they were tried on."""
    pages = int(stats.get(SELECTOR_PAGES, 0) or 0)
    if not pages:
        return []
    return [f"selector for {name} matched nothing on {pages} pages: has the layout changed?"
            for name in sorted(selectors) if not int(stats.get(SELECTOR_MATCHED + name, 0) or 0)]


def fill_rate_drift(engine: Any, run_id: int) -> list[str]:
    """The ``stats`` fill-rate warnings of one run (the same rule: a field filled at least
    ``storage.report.DROP`` less often in the run's records than in its site's, over at least 5
    records), read with two queries on that run and site instead of the whole report."""
    from sqlalchemy import func, select

    from storage.models import Article, CrawlRun, UrlState
    from storage.report import DROP, _fill_columns, _rates

    with engine.connect() as conn:
        site = conn.execute(select(CrawlRun.site).where(CrawlRun.id == run_id)).scalar()
        if site is None:
            return []
        run_row = conn.execute(
            select(func.count().label("records"), *_fill_columns()).select_from(UrlState)
            .join(Article, Article.id == UrlState.article_id)
            .where(UrlState.run_id == run_id, UrlState.reason.in_(("new", "updated", "duplicate")))).one()
        if (run_row.records or 0) < 5:
            return []
        site_row = conn.execute(select(func.count().label("records"), *_fill_columns())
                                .where(Article.site == site)).one()
    run_fill, site_fill = _rates(run_row, run_row.records), _rates(site_row, site_row.records)
    return [f"run {run_id} ({site}): {name} filled in {rate:.0%} of {run_row.records} records against "
            f"{site_fill[name]:.0%} for the site: has the layout changed?"
            for name, rate in run_fill.items() if site_fill.get(name, 0) - rate >= DROP]


def run_drift(engine: Any, run_stats: Mapping[str, Any], selectors: Iterable[str]) -> list[str]:
    """Every drift sign of one finished run (its stats carry its run id)."""
    run_id = run_stats.get("newscrawl/run_id")
    found = fill_rate_drift(engine, int(run_id)) if run_id is not None else []
    return [*found, *selector_drift(run_stats, selectors)]
