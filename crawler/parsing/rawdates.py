"""The raw text of a date (``published_raw``, ``modified_raw``): what the page wrote, or nothing.

A record's raw date promises two things: the text is in the page (its decoded source, with
character references read and runs of white space taken as one space) and it reads back to
the record's date. Some sources cannot keep that promise: a day taken from the URL or from
htmldate is no text the page wrote as its date, and a date the header splits over two
elements (``<span>Dienstag,</span> <span>29. Januar 2019</span>``, ``<span>发布时间：10-08</span>
<span>12:00</span>``) was read as one string that the page never wrote. ``as_written`` keeps
a raw value only when it keeps the promise, else the longest run of its words that does
(``29. Januar 2019``), else nothing: an empty raw is better than an invented one.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, tzinfo

from crawler.parsing.dates import Stamp, parse_stamp
from crawler.parsing.page import Page, per_page

_SPACES = re.compile(r"\s+")
# separators a label or a neighbouring piece leaves at the edges of a date (``：10-08 12:00``)
_EDGES = " \t\r\n\xa0:：,，|"
# a raw value longer than this is a sentence, not a date: its runs of words are not searched
_MOST_WORDS = 12


def _squashed(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@per_page
def _readable_source(page: Page) -> str:
    """The page's source with character references read and white space runs as one space:
    where a text node's or an attribute's value can be found as the page wrote it."""
    return _squashed(html.unescape(page.html))


def _glued(source: str, at: int, step: int) -> bool:
    """Whether the character at ``at`` continues a value across the edge of a found text:
    a digit or a letter (not an ideograph, which a date follows without a space), or a
    separator with a digit beyond it (``2019-|10-08 12:00|:57``)."""
    if not 0 <= at < len(source):
        return False
    char = source[at]
    if char.isdigit() or (char.isalpha() and char < "\u2e80"):
        return True
    beyond = at + step
    return char in "-./:" and 0 <= beyond < len(source) and source[beyond].isdigit()


def _stands_in(source: str, text: str) -> bool:
    """Whether ``text`` occurs in ``source`` as a value of its own, not as a piece of a
    longer one (``10-08 12:00`` is not written in ``2019-10-08 12:00:57``)."""
    start = source.find(text)
    while start >= 0:
        end = start + len(text)
        if not _glued(source, start - 1, -1) and not _glued(source, end, 1):
            return True
        start = source.find(text, start + 1)
    return False


def in_page(page: Page, text: str) -> bool:
    """Whether ``text`` stands in the page's source as written (references read, white
    space collapsed), as a value of its own. The source as it is first: it answers for
    nearly every page."""
    return _stands_in(page.html, text) or _stands_in(_readable_source(page), _squashed(html.unescape(text)))


def reads_back(raw: str, stamp: Stamp, tz: tzinfo, now: datetime) -> bool:
    """Whether ``raw``, read again in the zone and at the fetch time the parser used, gives
    ``stamp``: the same instant when it has a time of day, the same day when it has none."""
    again = parse_stamp(raw, tz, now)
    if again is None or again.has_time != stamp.has_time:
        return False
    if stamp.has_time:
        return again.value.replace(microsecond=0) == stamp.value.replace(microsecond=0)
    return again.value.date() == stamp.value.date()


def as_written(page: Page, raw: str | None, stamp: Stamp, tz: tzinfo, now: datetime) -> str | None:
    """``raw`` when the page wrote it and it reads back to ``stamp``; else the longest run of
    its words that is and does (the date without a weekday that stood in another element);
    else None."""
    if not raw:
        return None
    raw = raw.strip(_EDGES)
    if raw and in_page(page, raw) and reads_back(raw, stamp, tz, now):
        return raw
    words = raw.split()
    if len(words) > _MOST_WORDS:
        return None
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            piece = " ".join(words[start:start + size]).strip(_EDGES)
            if piece and in_page(page, piece) and reads_back(piece, stamp, tz, now):
                return piece
    return None
