"""Outcomes of URLs that did not end as a stored record, so every discovered URL ends in
exactly one recorded state: ``Failed`` (with reason and attempts) when fetching failed,
``Skipped`` (with reason) when a rule, robots.txt or a budget kept it from being fetched.
(``storage.repository.Rejected`` covers pages fetched but not stored as articles.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Failed:
    """The URL could not be fetched: network error, HTTP error, redirect loop, too large..."""

    url: str
    reason: str
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Skipped:
    """The URL was not fetched on purpose: robots.txt, a retired host, a budget or a rule."""

    url: str
    reason: str
