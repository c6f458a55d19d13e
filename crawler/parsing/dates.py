"""Read publication dates the way news pages write them, into ISO 8601 with an offset.

Handles ISO 8601, ``2025-07-17 07:13:09``, ``2019.08.20``, ``2019/08/20``,
``2023年11月02日 08:15``, RFC 2822 (feeds), English month names, and relative Chinese and
English times (刚刚, 3小时前, 昨天 14:00, 前天, "2 hours ago") against the fetch time.
A naive time is read in the site's zone. Years outside 1990..fetch year+1 are refused so
CSS numbers and IDs are never taken for dates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2}|\s?(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?)?"
_TIME = r"(?:[T\s]*(?P<H>\d{1,2})[:时時](?P<M>\d{2})(?:[:分](?P<S>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?)?"
NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?" + _TIME + _TZ,
    re.I,
)
_ENGLISH = re.compile(
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon1>[A-Za-z]{3,9})\.?,?\s+(?P<y1>(?:19|20)\d{2})"
    r"|(?P<mon2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d{2}))"
    r"(?:,?\s*(?:at\s+)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?" + _TZ,
    re.I,
)
_RELATIVE = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>秒|分钟|分鐘|小时|小時|天|周|seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s*(?:前|ago)", re.I)
# Baidu 百家号 and many apps print ``10-08 12:00`` (no year: the current year) and
# ``18-03-08 23:16`` (two-digit year). Both require a clock time, so bare ``09-1`` style
# numbers from CSS or IDs never match.
_SHORT_YEAR = re.compile(r"(?<![\d.:/-])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?![\d:])")
_NO_YEAR = re.compile(r"(?<![\d.:/-])(?P<m>\d{1,2})(?:-|月)(?P<d>\d{1,2})日?\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?![\d:])")
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2, "today": 0, "yesterday": 1}


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    text = text.strip().upper()
    if text in ("Z", "UTC", "GMT"):
        return UTC
    match = re.search(r"([+-])(\d{1,2}):?(\d{2})?", text)
    if not match:
        return None
    sign = 1 if match.group(1) == "+" else -1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(sign * delta)


def _build(y: int, m: int, d: int, hh: str | None, mm: str | None, ss: str | None, ampm: str | None,
           tz: tzinfo | None, default_tz: tzinfo, now: datetime) -> datetime | None:
    hour = int(hh or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        value = datetime(y, m, d, hour, int(mm or 0), int(ss or 0), tzinfo=tz or default_tz)
    except ValueError:
        return None
    if not 1990 <= value.year <= now.year + 1:
        return None
    return value


def parse_date(text: str | None, default_tz: tzinfo = UTC, now: datetime | None = None) -> datetime | None:
    """The first date in ``text`` as an aware datetime, or None."""
    if not text:
        return None
    now = now or datetime.now(UTC)
    text = text.strip()
    match = NUMERIC.search(text)
    if match:
        g = match.groupdict()
        return _build(int(g["y"]), int(g["m"]), int(g["d"]), g["H"], g["M"], g["S"], g["ampm"],
                      _offset(g["tz"]), default_tz, now)
    match = _ENGLISH.search(text)
    if match:
        g = match.groupdict()
        month = _MONTHS.get((g["mon1"] or g["mon2"] or "")[:3].lower())
        if month:
            return _build(int(g["y1"] or g["y2"]), month, int(g["d1"] or g["d2"]), g["H"], g["M"], g["S"],
                          g["ampm"], _offset(g["tz"]), default_tz, now)
    match = _SHORT_YEAR.search(text)
    if match:
        g = match.groupdict()
        return _build(2000 + int(g["y"]), int(g["m"]), int(g["d"]), g["H"], g["M"], g["S"], None, None,
                      default_tz, now)
    match = _NO_YEAR.search(text)
    if match:
        return _year_less(match, default_tz, now)
    if re.search(r"\d{1,2}\s+\w{3}\s+\d{4}\s+\d{2}:\d{2}", text):
        try:
            value = parsedate_to_datetime(text)
            return value if value.tzinfo else value.replace(tzinfo=default_tz)
        except (TypeError, ValueError, IndexError):
            pass
    return parse_relative(text, default_tz, now)


def _year_less(match: re.Match[str], default_tz: tzinfo, now: datetime) -> datetime | None:
    """``MM-DD HH:MM`` in the fetch year, or the year before when that would lie in the future
    (a January fetch of a December post)."""
    g = match.groupdict()
    local_now = now.astimezone(default_tz)
    value = _build(local_now.year, int(g["m"]), int(g["d"]), g["H"], g["M"], g["S"], None, None, default_tz, now)
    if value is not None and value > local_now + timedelta(days=1):
        value = _build(local_now.year - 1, int(g["m"]), int(g["d"]), g["H"], g["M"], g["S"], None, None,
                       default_tz, now)
    return value


def parse_relative(text: str, default_tz: tzinfo, now: datetime) -> datetime | None:
    """Relative times (刚刚, 5分钟前, 昨天 08:30, 3 hours ago) against ``now``."""
    local_now = now.astimezone(default_tz)
    if "刚刚" in text or re.search(r"\bjust now\b", text, re.I):
        return local_now.replace(microsecond=0)
    match = _RELATIVE.search(text)
    if match:
        n, unit = int(match.group("n")), match.group("unit").lower()
        seconds = {"秒": 1, "分": 60, "小": 3600, "天": 86400, "周": 604800, "s": 1, "m": 60, "h": 3600,
                   "d": 86400, "w": 604800}[unit[0]]
        return (local_now - timedelta(seconds=n * seconds)).replace(microsecond=0)
    for word, days in _DAY_WORDS.items():
        if word in text.lower():
            day = local_now - timedelta(days=days)
            clock = re.search(r"(\d{1,2}):(\d{2})", text)
            hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
            return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    return value.replace(microsecond=0).isoformat() if value else None


def zone_for(name: str | None, language: str | None) -> tzinfo:
    """The site's zone: an explicit profile zone (IANA name or ±HH:MM), else by language."""
    if name:
        fixed = _offset(name) if re.match(r"^(Z|UTC|GMT|[+-]\d)", name.strip(), re.I) else None
        if fixed:
            return fixed
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except (KeyError, ValueError, ImportError):
            pass
    if language in ("zh",):
        return timezone(timedelta(hours=8))
    if language in ("ja", "ko"):
        return timezone(timedelta(hours=9))
    return UTC
