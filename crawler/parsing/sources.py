"""Sources tried in order, each isolated: a source that raises is logged and skipped.

A field extractor is an ordered list of small sources (see ``breadcrumb.py``, ``authors.py``):
the first that finds something gives the field. A bug in one source, met on one odd page,
costs that source's answer on that page, never the page: the exception is logged (with the
page's URL) on the logger of the source's own module, and the next source is tried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from crawler.parsing.page import Page

_T = TypeVar("_T")


def attempt(source: Callable[..., _T], page: Page, *args: Any) -> _T | None:
    """``source(page, *args)``, or None when it raises (logged with the page's URL)."""
    try:
        return source(page, *args)
    except Exception:  # noqa: BLE001 - one failing source never rejects the page
        logging.getLogger(source.__module__).warning("%s failed on %s: skipped", source.__qualname__, page.url,
                                                     exc_info=True)
        return None


def first_found(sources: Iterable[Callable[..., _T]], page: Page, *args: Any) -> _T | None:
    """The first truthy answer of ``sources`` (each ``source(page, *args)``, isolated by
    ``attempt``), else None."""
    for source in sources:
        found = attempt(source, page, *args)
        if found:
            return found
    return None
