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
from typing import NamedTuple

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
# A day word is a date only as the whole piece of text, with at most a clock time after it:
# "USA TODAY" in a byline and "Today's Word" in a menu are names, 今天上午 starts a sentence.
_DAY_WORD = re.compile(r"^\W*(?P<word>今天|昨天|前天|today|yesterday)\W*?(?:at\s*)?"
                       r"(?:(?P<H>\d{1,2}):(?P<M>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?\W*$", re.I)


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
    match = _DAY_WORD.search(text)
    if match:
        day = local_now - timedelta(days=_DAY_WORDS[match.group("word").lower()])
        hour, minute = (int(match.group("H")), int(match.group("M"))) if match.group("H") else (0, 0)
        if match.group("ampm"):
            hour = hour % 12 + (12 if match.group("ampm").lower().startswith("p") else 0)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    return value.replace(microsecond=0).isoformat() if value else None


# Languages spoken (almost) only in one zone: the zone a page in them is read in when no
# profile says otherwise. Central European languages are Europe/Berlin (with its summer time).
_CET_LANGUAGES = ("de", "it", "nl", "pl", "cs", "sk", "hu", "sl", "hr", "da", "sv", "no", "nb", "nn")
LANGUAGE_ZONES: dict[str, str] = {"zh": "+08:00", "ja": "+09:00", "ko": "+09:00",
                                  **{language: "Europe/Berlin" for language in _CET_LANGUAGES}}


def zone_for(name: str | None, language: str | None) -> tzinfo:
    """The site's zone: an explicit profile zone (IANA name or ±HH:MM), else by language
    (``LANGUAGE_ZONES``), else UTC."""
    if name:
        fixed = _offset(name) if re.match(r"^(Z|UTC|GMT|[+-]\d)", name.strip(), re.I) else None
        if fixed:
            return fixed
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except (KeyError, ValueError, ImportError):
            pass
    zone = LANGUAGE_ZONES.get(language or "")
    return zone_for(zone, None) if zone else UTC


# --- open-web forms ----------------------------------------------------------------------------
# Pages outside the Chinese portals write dates day-first (``09.09.2017``, ``01-11-2023 10:29``),
# with month names in their own language (``9. September 2017``, ``15 августа 2016``,
# ``17 de febrero de 2020``), or as compact ISO (``20200924T15:04:34Z``). ``parse_stamp`` reads
# them all and says whether the page gave a time, so a date-only value is never given an
# invented midnight.

_MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan januar jänner jän janvier janv enero ene gennaio genn gen januari janeiro "
    "styczeń stycznia январь января январе leden ledna ocak tammikuu tammikuuta ιανουαρίου",
    "february feb febr februar février févr fevrier febrero febbraio februari fevereiro fev "
    "luty lutego февраль февраля феврале únor února şubat helmikuu helmikuuta φεβρουαρίου",
    "march mar mär märz maerz mars marzo maart março marco marzec marca март марта марте "
    "březen března mart maaliskuu maaliskuuta μαρτίου",
    "april apr avril avr abril abr aprile aprila kwiecień kwietnia апрель апреля апреле "
    "duben dubna nisan huhtikuu huhtikuuta απριλίου",
    "may mai mayo maggio mei maio maj мая май мае květen května mayıs toukokuu toukokuuta μαΐου",
    "june jun juni juin junio giugno junho czerwiec czerwca июнь июня июне červen června "
    "haziran kesäkuu kesäkuuta ιουνίου",
    "july jul juli juillet juil julio luglio julho lipiec lipca июль июля июле červenec července "
    "temmuz heinäkuu heinäkuuta ιουλίου",
    "august aug août aout agosto ago augustus augusti sierpień sierpnia август августа августе "
    "srpen srpna ağustos elokuu elokuuta αυγούστου",
    "september sep sept septembre septiembre settembre set setembro setembre wrzesień września "
    "сентябрь сентября сентябре září září eylül syyskuu syyskuuta σεπτεμβρίου",
    "october oct okt oktober octobre octubre ottobre ott outubro out październik października "
    "октябрь октября октябре říjen října ekim lokakuu lokakuuta οκτωβρίου",
    "november nov novembre noviembre novembro listopad listopada ноябрь ноября ноябре listopadu "
    "kasım marraskuu marraskuuta νοεμβρίου",
    "december dec dez dezember décembre decembre diciembre dic dicembre december dezembro "
    "grudzień grudnia декабрь декабря декабре prosinec prosince aralık joulukuu joulukuuta "
    "δεκεμβρίου",
), start=1):
    for _name in _names.split():
        _MONTH_NAMES.setdefault(_name, _number)
_MONTH_NAMES["mrt"] = 3  # Dutch abbreviation

_MONTH = r"(?P<mon>[^\W\d_]{3,12})\.?"
_CLOCK = (r"(?:\s*(?:,|-|–|\||/|um|à|a\s+las|alle|om|at|kl\.?|в|o)?\s*(?P<H>\d{1,2})[:h.](?P<M>\d{2})(?![\d.])"
          r"(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?")
# 9. September 2017 / 15 августа 2016 / 17 de febrero de 2020 / 5 juin 2019 à 10h30
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\w.])(?P<d>\d{1,2})(?:\.|st|nd|rd|th|er|º)?\s*(?:de\s+|of\s+)?" + _MONTH
    + r"\s*,?\s*(?:de\s+|del\s+)?(?P<y>(?:19|20)\d{2})(?!\d)(?:\s*(?:г\.|года|р\.))?" + _CLOCK + _TZ, re.I)
# September 9, 2017 / Dezember 16th, 2012, 7:05 pm
_MONTH_DAY_YEAR = re.compile(
    r"(?<![\w.])" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(?P<y>(?:19|20)\d{2})(?!\d)" + _CLOCK + _TZ,
    re.I)
# 09.09.2017, 01-11-2023 10:29, 02/10/2020 (day first unless the numbers say otherwise)
_DAY_FIRST = re.compile(
    r"(?<![\d.:/-])(?P<d>\d{1,2})(?P<sep>[./-])\s?(?P<m>\d{1,2})(?P=sep)\s?(?P<y>(?:19|20)\d{2})(?![\d])"
    + _CLOCK + _TZ, re.I)
# a dateline's two-digit year (``( Pescasseroli, 14 Gennaio 20 )``): only at the end of a short text
_DAY_MONTH_SHORT_YEAR = re.compile(r"(?<![\w.])(?P<d>\d{1,2})\.?\s+" + _MONTH + r"\s+(?P<y>\d{2})(?=\W*$)")
_COMPACT_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)T(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?"
    r"(?:\.\d+)?" + _TZ)
_KOREAN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"
                     r"(?:[^\d]{0,8}(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?")


class Stamp(NamedTuple):
    """A date read from a page: the value, whether the page gave a time of day, and whether
    it gave a zone (a naive time was read in the site's zone)."""

    value: datetime
    has_time: bool
    has_zone: bool
    written: str = ""  # the date as the text wrote it (``Samstag, 9. September 2017``)

    def text(self) -> str:
        """ISO 8601: with seconds and offset when the page gave a time, else ``YYYY-MM-DD``."""
        if self.has_time:
            return self.value.replace(microsecond=0).isoformat()
        return self.value.date().isoformat()


# A weekday right before a date belongs to how the page wrote it (``Samstag, 9. September 2017``).
_WEEKDAY_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    r"lunedì|martedì|mercoledì|giovedì|venerdì|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    r"segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira)\.?,?\s*$", re.I)


def _stamp(match: re.Match[str], y: int, m: int, d: int, default_tz: tzinfo, now: datetime) -> Stamp | None:
    g = match.groupdict()
    zone = _offset(g.get("tz"))
    value = _build(y, m, d, g.get("H"), g.get("M"), g.get("S"), g.get("ampm"), zone, default_tz, now)
    if value is None or value.hour > 23:
        return None
    start = match.start()
    weekday = _WEEKDAY_BEFORE.search(match.string, 0, start)
    if weekday and weekday.end() == start:
        start = weekday.start()
    return Stamp(value, g.get("H") is not None, zone is not None, match.string[start:match.end()].strip(" ,|-"))


def _month_number(word: str | None) -> int | None:
    if not word:
        return None
    word = word.lower().rstrip(".")
    return _MONTH_NAMES.get(word)


def parse_stamp(text: str | None, default_tz: tzinfo = UTC, now: datetime | None = None, *,
                relative: bool = True) -> Stamp | None:
    """The first date in ``text`` with what the page said about its time and zone, or None.

    Year-first forms win (unambiguous), then compact ISO, worded months in many languages,
    day-first numbers, then the older Chinese/English forms of ``parse_date``. ``relative``
    False refuses relative words (昨天, 3 hours ago): an attribute value is never one."""
    if not text:
        return None
    now = now or datetime.now(UTC)
    text = text.strip()
    if len(text) > 400:
        text = text[:400]
    for pattern in (NUMERIC, _COMPACT_ISO, _KOREAN):
        match = pattern.search(text)
        if match:
            g = match.groupdict()
            return _stamp(match, int(g["y"]), int(g["m"]), int(g["d"]), default_tz, now)
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            month = _month_number(match.group("mon"))
            if month:
                return _stamp(match, int(match.group("y")), month, int(match.group("d")), default_tz, now)
    match = _DAY_FIRST.search(text)
    if match:
        first, second = int(match.group("d")), int(match.group("m"))
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _stamp(match, int(match.group("y")), month, day, default_tz, now)
    if len(text) <= 40 and (match := _DAY_MONTH_SHORT_YEAR.search(text)):
        month = _month_number(match.group("mon"))
        if month:
            return _stamp(match, 2000 + int(match.group("y")), month, int(match.group("d")), default_tz, now)
    value = parse_date(text, default_tz, now) if relative else _absolute_only(text, default_tz, now)
    if value is None:
        return None
    has_time = bool(re.search(r"\d:\d\d|刚刚|前|ago|just now", text, re.I))
    return Stamp(value, has_time, False, text)


def _absolute_only(text: str, default_tz: tzinfo, now: datetime) -> datetime | None:
    """``parse_date`` without its relative forms."""
    for pattern in (_SHORT_YEAR, _NO_YEAR):
        if pattern.search(text):
            return parse_date(text, default_tz, now)
    return None
