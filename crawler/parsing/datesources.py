"""Where a page states its publication date, besides its visible header: JSON-LD (nested
too), the page's own zone for a time given in UTC, the URL, and htmldate as the last resort.

Kept apart from metadata.py so its date section stays short; nothing here imports it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from crawler.parsing.dates import Stamp, parse_stamp
from crawler.parsing.jsonld import PLAIN_PAGE, walk
from crawler.parsing.page import Page, jsonld_types, xpath

# Types whose datePublished is the article's; a WebPage's is often the page template's.
_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "TechArticle", "LiveBlogPosting", "Report", "ScholarlyArticle",
                  "SocialMediaPosting", "DiscussionForumPosting", "Blog", "PressRelease", "BackgroundNewsArticle",
                  "ReviewNewsArticle", "Review", "Recipe", "Event", "CreativeWork", "MedicalWebPage"}
_PAGE_TYPES = {PLAIN_PAGE, "ItemPage", "AboutPage", "CollectionPage", "ProfilePage", "QAPage", "FAQPage"}
# Keys whose object describes something else than the page's article (its publisher, an
# embedded video, the comments): their dates are not the article's.
_FOREIGN_KEYS = {"publisher", "author", "creator", "comment", "video", "image", "associatedMedia", "isPartOf",
                 "itemListElement", "hasPart", "review", "aggregateRating", "offers", "about", "mentions",
                 "citation", "sourceOrganization", "copyrightHolder", "recipeInstructions", "subjectOf"}
_LD_RAW = re.compile(r'"?(?P<key>datePublished|dateModified|dateCreated|uploadDate)"?\s*:\s*"?'
                     r'(?P<value>[^",}\]]{6,40})')


def _described_parts(obj: dict[str, Any], depth: int) -> list[Any]:
    """What to look into below an object for the article's dates: every member but the
    foreign ones, four levels down at most."""
    if depth >= 4:
        return []
    return [value for key, value in obj.items() if key not in _FOREIGN_KEYS and isinstance(value, dict | list)]


def _article_objects(objects: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every JSON-LD object that can describe the article, with a rank (0 article types,
    1 page types, 2 untyped or other), nested ``mainEntity``/``@graph`` members included
    (at most 200 items looked at)."""
    for item, _ in walk(objects, _described_parts, limit=200):
        kinds = jsonld_types(item)
        yield (0 if kinds & _ARTICLE_TYPES else 1 if kinds & _PAGE_TYPES else 2), item


def jsonld_dates(page: Page, tz: tzinfo, now: datetime) -> tuple[tuple[Stamp, str] | None, tuple[Stamp, str] | None]:
    """(published, modified) from JSON-LD, each as (stamp, raw value): the best-ranked object
    that has the field. Blocks that are not valid JSON (unquoted or trailing-comma values) are
    read with a key/value pattern."""
    best: dict[str, tuple[int, Stamp, str]] = {}
    for rank, obj in _article_objects(page.jsonld):
        for key in ("datePublished", "dateCreated", "dateModified"):
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if not isinstance(value, str):
                continue
            # dateCreated stands in for datePublished, one rank lower
            field = "dateModified" if key == "dateModified" else "datePublished"
            order = rank * 2 + (key == "dateCreated")
            if field in best and best[field][0] <= order:
                continue
            stamp = parse_stamp(value, tz, now, relative=False)
            if stamp:
                best[field] = (order, stamp, value)
    if "datePublished" not in best and "ld+json" in page.html:
        for script in xpath(page.tree, '//script[contains(@type, "ld+json")]'):
            for match in _LD_RAW.finditer(script.text or ""):
                key = "dateModified" if match.group("key") == "dateModified" else "datePublished"
                if key not in best and match.group("key") != "uploadDate":
                    stamp = parse_stamp(match.group("value"), tz, now, relative=False)
                    if stamp:
                        best[key] = (9, stamp, match.group("value").strip())
    published = best.get("datePublished")
    modified = best.get("dateModified")
    return ((published[1], published[2]) if published else None, (modified[1], modified[2]) if modified else None)


# ISO times anywhere in the page source (scripts included): a page that states its time in
# UTC in one place usually states it with its own offset, or as a naive local time, in another.
_ISO_ANYWHERE = re.compile(r"(?P<date>(?:19|20)\d{2}-[01]\d-[0-3]\d)[T ](?P<H>[0-2]\d):(?P<M>[0-5]\d):(?P<S>[0-5]\d)"
                           r"(?:\.\d+)?(?P<tz>Z|[+-][01]\d:?[0-5]\d)?(?![\d:])")


def _same_minute_second(html: str, utc: datetime) -> Iterator[re.Match[str]]:
    """ISO times in ``html`` with the minutes and seconds of ``utc``: a C-level search for
    ``:MM:SS`` first, the pattern only around each hit (a regex over the whole page cost
    about 1 ms a page)."""
    needle = f":{utc.minute:02d}:{utc.second:02d}"
    start = html.find(needle)
    hits = 0
    while start >= 0 and hits < 50:
        hits += 1
        match = _ISO_ANYWHERE.match(html, start - 13, start + 40) if start >= 13 else None
        if match and match.end("S") == start + len(needle):
            yield match
        start = html.find(needle, start + 1)


def local_zone(stamp: Stamp, page: Page, hints: list[Stamp] | None = None) -> Stamp:
    """``stamp`` (a time given in UTC) moved to the page's own offset when the page states the
    same instant elsewhere with a non-zero offset, or as a naive wall-clock time a whole
    number of hours (at most 14) away with the same minutes and seconds, or shows it in the
    header (``hints``) as a zoneless time with the same minutes. The day a reader saw is the
    local one."""
    value = stamp.value
    if not (stamp.has_time and stamp.has_zone and value.utcoffset() == timedelta(0)):
        return stamp
    utc = value.astimezone(UTC).replace(tzinfo=None)
    shifts: dict[timedelta, int] = {}
    for match in _same_minute_second(page.html, utc):
        try:
            wall = datetime.fromisoformat(f'{match.group("date")}T{match.group("H")}:{match.group("M")}'
                                          f':{match.group("S")}')
        except ValueError:
            continue
        shift = wall - utc
        if not shift or abs(shift) > timedelta(hours=14) or shift % timedelta(minutes=15):
            continue
        zone = match.group("tz")
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            if sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) != shift:
                continue
        elif zone == "Z":
            continue
        shifts[shift] = shifts.get(shift, 0) + 1
    for hint in hints or ():
        # a visible time without a zone (``19. Oktober 2019 00:04 Uhr``): the page's wall clock
        if hint.has_time and not hint.has_zone and hint.value.minute == utc.minute:
            shift = hint.value.replace(tzinfo=None, second=utc.second) - utc
            if shift and abs(shift) <= timedelta(hours=14) and not shift % timedelta(minutes=15):
                shifts[shift] = shifts.get(shift, 0) + 1
    if not shifts:
        return stamp
    shift = max(shifts, key=lambda s: shifts[s])
    return Stamp(value.astimezone(timezone(shift)), True, True)


# /2019/10/22/, /2019-10-22-, /20191022/ in the URL path: the CMS's own publication day.
_URL_DATE = re.compile(r"(?<![\d])(?P<y>(?:19|20)\d{2})(?P<sep>[/_-]?)(?P<m>[01]\d)(?P=sep)(?P<d>[0-3]\d)(?![\d])")


def url_date(url: str, tz: tzinfo, now: datetime) -> tuple[Stamp, str] | None:
    """The day a dated URL path names (date only), or None."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else ""
    for match in _URL_DATE.finditer(path):
        if not match.group("sep") and not re.search(r"/\d{8}(?:[/_.-]|$)", path[match.start() - 1:match.end() + 1]):
            continue  # eight bare digits only as a path segment of their own
        try:
            value = datetime(int(match.group("y")), int(match.group("m")), int(match.group("d")), tzinfo=tz)
        except ValueError:
            continue
        if value <= now + timedelta(days=1):
            return Stamp(value, False, False), match.group(0)
    return None


def htmldate_day(page: Page, tz: tzinfo, now: datetime) -> tuple[Stamp, str] | None:
    """htmldate's guess of the original publication day (date only), read from a copy of the
    tree: htmldate removes elements from the tree it is given."""
    try:
        from htmldate import find_date
    except ImportError:  # optional: without it the page simply has no date from this source
        return None
    try:
        found = find_date(copy.deepcopy(page.tree), url=page.url, original_date=True, extensive_search=True,
                          max_date=now.strftime("%Y-%m-%d"))
    except Exception:  # noqa: BLE001 - a third-party heuristic must never cost the page
        return None
    if not found or found.endswith("-01-01"):
        # htmldate answers a bare year (a copyright line) as January 1st: a year, not a day
        return None
    try:
        value = datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=tz)
    except ValueError:
        return None
    return Stamp(value, False, False), found


def local_midnight(stamp: Stamp, zone: tzinfo) -> Stamp:
    """A time given in UTC that is exactly midnight in the site's zone (``2021-11-04T23:00Z``
    on a German page) is a date the CMS stored as local midnight: moved to that zone, its
    day is the one the page meant."""
    value = stamp.value
    if not (stamp.has_time and stamp.has_zone and value.utcoffset() == timedelta(0)):
        return stamp
    local = value.astimezone(zone)
    if local.utcoffset() == timedelta(0) or (local.hour, local.minute, local.second) != (0, 0, 0):
        return stamp
    return Stamp(local.astimezone(timezone(local.utcoffset() or timedelta(0))), True, True, stamp.written)
