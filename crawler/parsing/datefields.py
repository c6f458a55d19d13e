"""Published and modified dates, from an ordered list of sources (JSON-LD, meta tags, date
markup, the meta line, ``<time>``, labelled text, the URL, htmldate), each isolated: a
source that fails is logged and skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import NamedTuple

from lxml import etree

from crawler.parsing.dates import Stamp, parse_stamp
from crawler.parsing.datesources import htmldate_day, jsonld_dates, local_midnight, local_zone, url_date
from crawler.parsing.header import header_texts, in_comments, in_other_posts, meta_line
from crawler.parsing.headline import headline_element
from crawler.parsing.page import (
    AnyWord,
    Page,
    element_text,
    lowered_for_words,
    xpath,
)
from crawler.parsing.rawdates import as_written
from crawler.parsing.sources import attempt

# --- dates -----------------------------------------------------------------------------------

# Most specific first; the bare "date" last (some sites put the page's build date there).
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "og:published_time", "published_time",
                   "article.published", "article:published", "datepublished", "date_published", "pubdate",
                   "publishdate", "publish-date", "publish_date", "publication_date", "originalpublicationdate",
                   "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date", "og:pubdate",
                   "dc.date.issued", "dc.date.created", "dcterms.created", "dcterms.date", "dc.date", "dc:date",
                   "datecreated", "article.created", "weibo:article:create_at", "bytedance:published_time", "date")
# the publication-specific keys; the rest of _PUBLISHED_META are document-record dates
_STRONG_META = _PUBLISHED_META[:_PUBLISHED_META.index("dc.date.issued")]
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                  "last-modified", "article:modified")
_DATE_LABEL_WORDS = ("发布时间", "發佈時間", "发布日期", "发表时间", "發表時間", "发表于", "发布于", "更新时间", "时间", "時間",
                     "日期", "published", "posted", "updated", "date")
_DATE_LABEL = re.compile("(" + "|".join(_DATE_LABEL_WORDS) + r")\s*[:：]?", re.I)
# Publication and update labels in many languages: a header that shows both dates names each.
_PUBLISH_CJK = ("发布时间", "發佈時間", "发布日期", "發布日期", "发表时间", "發表時間", "发表于", "發表於", "发布于", "發佈於",
                "出版日期", "公開日", "投稿日", "掲載日", "게시일", "등록일", "입력")
_PUBLISH_NAMES = ("published", "posted", "first published", "publication date", "erstellt", "veröffentlicht", "publiziert",
                  "publié", "publie", "publicado", "publicada", "pubblicato", "pubblicata", "gepubliceerd", "geplaatst",
                  "opublikowano", "publikováno", "опубликовано", "erschienen", "дата публикации", "yayınlanma",
                  "julkaistu", "publicerad", "udgivet", "publisert")
_PUBLISH_LABEL = re.compile("|".join(_PUBLISH_CJK) + r"|\b(?:" + "|".join(_PUBLISH_NAMES)
                            + r")\b(?:\s+(?:on|am|le|el|il|op|em))?\s*[:：]?", re.I)
# any label at all, without word boundaries: what the page's whole text is searched for first
_PUBLISH_WORDS = AnyWord(*_PUBLISH_CJK, *_PUBLISH_NAMES)
_UPDATE_CJK = ("更新时间", "更新時間", "最后更新", "最終更新", "수정")
_UPDATE_NAMES = ("updated", "last updated", "last modified", "modified", "aktualisiert", "zuletzt aktualisiert", "geändert",
                 "letzte änderung", "stand", "mis à jour", "mise à jour", "actualizado", "actualizada", "aggiornato",
                 "aggiornata", "bijgewerkt", "atualizado", "atualizada", "zaktualizowano", "обновлено", "güncellendi",
                 "päivitetty", "uppdaterad", "opdateret", "oppdatert")
_UPDATE_LABEL = re.compile("|".join(_UPDATE_CJK) + r"|\b(?:" + "|".join(_UPDATE_NAMES)
                           + r")\b\s*(?:on|am|le|el|il|op|em)?\s*[:：-]?", re.I)
# a relative time (3 hours ago, 昨天) is as old as the fetch: never a reason to doubt a machine value
_RELATIVE_WORDS = re.compile(r"\bago\b|\bjust now\b|\btoday\b|\byesterday\b|[前昨今]|刚刚", re.I)
_AMBIGUOUS_NUMERIC = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{4}")
_UPDATE_WORDS = AnyWord(*_UPDATE_CJK, *_UPDATE_NAMES)
_DATE_WORDS = AnyWord(*_DATE_LABEL_WORDS)


def _label(pattern: re.Pattern[str], words: AnyWord, text: str, lowered: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a label pattern every match of which holds one of ``words``
    (``lowered``: ``lowered_for_words(text)``). A re.I alternation of dozens of labels is tried
    at every offset of the text; the words are looked for as substrings first, in C, and
    most pieces of a page's header hold none."""
    return pattern.search(text) if words.in_lowered(lowered) else None


_COPYRIGHT = re.compile(r"©|&copy;|\bcopyright\b", re.I)
_HAS_DIGITS = re.compile(r"\d")
_OTHER_LABEL = re.compile(r"[^\W\d_]{2,}\s*[:：]")
# a union of per-attribute and per-tag paths: far cheaper than one predicate list tried on every element
_PUBLISHED_MARKUP = etree.XPath(
    '//*[@itemprop="datePublished"] | //*[@pubdate] | //*[@property="datePublished"]'
    ' | //abbr[contains(concat(" ", normalize-space(@class), " "), " published ")]'
    ' | //time[contains(@class, "published") or contains(@class, "entry-date")]')



def extract_dates(page: Page, tz: tzinfo, now: datetime) -> tuple[str | None, str | None]:
    """(published_at, modified_at): ISO 8601 with offset, or ``YYYY-MM-DD`` when the page
    gives no time. A thin wrapper of ``extract_date_fields``."""
    fields = extract_date_fields(page, tz, now)
    return fields.published_at, fields.modified_at


class DateFields(NamedTuple):
    """The two dates of a page and the text or attribute value each was read from."""

    published_at: str | None
    modified_at: str | None
    published_raw: str | None
    modified_raw: str | None
    # the published date is a guess (URL, htmldate) on a page without a headline: a record may
    # carry it, but it is no evidence that the page is one article
    published_guessed: bool = False


Found = tuple[Stamp, str]


def _first_meta(page: Page, keys: tuple[str, ...], tz: tzinfo, now: datetime) -> Found | None:
    for key in keys:
        raw = page.meta.get(key)
        if raw and (stamp := parse_stamp(raw, tz, now, relative=False)):
            return stamp, raw
    return None


def _marked_up(page: Page, tz: tzinfo, now: datetime) -> Found | None:
    """Elements marked as the publication date (itemprop, ``<abbr class="published">``,
    ``<time pubdate>``, ``entry-date``): the machine value of an attribute first, else the text."""
    for el in _PUBLISHED_MARKUP(page.tree):
        if el.tag == "meta" or in_comments(el) or in_other_posts(el):
            continue
        for raw in (el.get("datetime"), el.get("content"), el.get("title"), element_text(el)):
            if raw and (stamp := parse_stamp(raw, tz, now, relative=False)):
                return stamp, raw.strip()
    return None



def _time_elements(page: Page, tz: tzinfo, now: datetime, with_time: bool = False) -> Found | None:
    """The first ``<time>`` outside comments and teasers: its datetime attribute, else its text.
    ``with_time``: only a value that has a time of day."""
    for el in page.tree.iter("time"):
        if in_comments(el) or in_other_posts(el):
            continue
        for raw in (el.get("datetime"), element_text(el)):
            if raw and (stamp := parse_stamp(raw, tz, now, relative=raw is not el.get("datetime"))):
                if with_time and not stamp.has_time:
                    continue
                return stamp, raw.strip()
    return None


def extract_date_fields(page: Page, tz: tzinfo, now: datetime) -> DateFields:
    """Published and modified dates, from the most trustworthy source that has one:
    JSON-LD -> meta tags -> date markup (itemprop, abbr/time published) -> labelled text in
    the article header (after the headline, else a date line right above it) -> ``<time>``
    outside comments and teasers -> labelled text anywhere -> the URL's day -> a stated update
    date -> htmldate (day only, and only when all else failed: it costs more than the rest
    together). The day the header shows beside the headline replaces a machine value of
    another day unless it is relative, far down, the update date, or the URL confirms the
    machine value; a document-record meta date (``date``, ``dc.date``) yields to a ``<time>``;
    a bare January 1st is a year (last resort). A date the page gives without a time stays
    ``YYYY-MM-DD`` (no invented midnight) unless a same-day ``<time>`` has one; a time given in
    UTC moves to the page's own offset when the page states it. A page without a headline
    keeps its URL/htmldate guess flagged ``published_guessed``. The raw fields hold the value
    as the page wrote it, or None when the page wrote none that reads back to the date (a
    URL's or htmldate's day, a date split over two elements): ``rawdates.as_written``."""
    ld_published, ld_modified = attempt(jsonld_dates, page, tz, now) or (None, None)
    published = ld_published or attempt(_first_meta, page, _PUBLISHED_META, tz, now)
    header_published, header_modified, header_piece = attempt(_date_in_header, page, tz, now) or _NO_HEADER_DATES
    if published and not ld_published and not attempt(_first_meta, page, _STRONG_META, tz, now) \
            and not (header_published and not _disagree(published[0], header_published[0])):
        # only a document-record date (``date``, ``dc.date``) that the header does not confirm:
        # a <time> of another day in the article is its publication
        shown = attempt(_time_elements, page, tz, now)
        if shown and _disagree(published[0], shown[0]):
            published = shown
    published = published or attempt(_marked_up, page, tz, now)
    year_only = None
    if published and _january_first(published[0]):
        # a bare January 1st (``01/01/2004``) is a year written as a date: kept as the last resort
        year_only, published = published, None
    modified = ld_modified or attempt(_first_meta, page, _MODIFIED_META, tz, now) or header_modified
    if published and header_published and attempt(_shown_instead, page, header_piece, published, header_published,
                                                  modified, tz, now):
        published = header_published
    published = published or header_published or attempt(_time_elements, page, tz, now)
    published = published or attempt(_labelled_date_anywhere, page, tz, now)
    guessed = False
    # a day from the URL or from htmldate: no text the page wrote as its date, so no raw value
    unwritten: Found | None = None
    if published is None:
        # Without a headline the page is more likely a listing (a day archive's URL names a day
        # too, and htmldate would date it by its teasers): the guess is kept for the record but
        # flagged, so that it does not make the page pass for an article.
        published = unwritten = attempt(_url_day, page, tz, now)
        if published is None:
            # a page that only states when it was updated is dated by that: a stated date
            # beats htmldate's guess
            modified = modified or attempt(_labelled_date_anywhere, page, tz, now, _UPDATE_LABEL, _UPDATE_WORDS)
            unwritten = None if modified else attempt(htmldate_day, page, tz, now)
            published = modified or unwritten
        guessed = published is not None and headline_element(page) is None
    published = published or year_only
    if published and not published[0].has_time:
        published = _with_time(published, page, tz, now)
    published_raw = None if published is None or published is unwritten else published[1][:200]
    hints = [found[0] for found in (header_published, header_modified) if found]
    if published:
        published = local_midnight(local_zone(published[0], page, hints), tz), published[1]
    if modified:
        modified = local_zone(modified[0], page, hints), modified[1]
    return DateFields(published[0].text() if published else None, modified[0].text() if modified else None,
                      as_written(page, published_raw, published[0], tz, now) if published else None,
                      as_written(page, modified[1][:200], modified[0], tz, now) if modified else None,
                      guessed)


# the header's date counts as shown beside the headline only among its first pieces
_SHOWN_WITHIN = 6


class HeaderDates(NamedTuple):
    """The dates of the meta line (``_date_in_header``) and the index of the piece the
    published one was read from (0 for a date line above the headline, the number of
    pieces when there is none)."""

    published: Found | None
    modified: Found | None
    piece: int


_NO_HEADER_DATES = HeaderDates(None, None, _SHOWN_WITHIN)


def _url_day(page: Page, tz: tzinfo, now: datetime) -> Found | None:
    return url_date(page.url, tz, now)


def _shown_instead(page: Page, index: int, machine: Found, shown: Found, modified: Found | None, tz: tzinfo,
                   now: datetime) -> bool:
    """Whether the date the header shows beside the headline should replace the machine
    value (JSON-LD, meta, markup) of another day: the day the article shows its readers wins
    over a template's or an import's date. Not when the shown date is relative (as old as the
    fetch), far from the headline, the machine value's update date (the page shows when it
    was updated, the original stays), or when the URL names the machine value's day."""
    line = meta_line(page)
    from_attr = line.from_attribute
    if index >= _SHOWN_WITHIN or index in from_attr or index + 1 in from_attr:  # (a piece is read with the next)
        return False  # far from the headline, or shown as "3 hours ago"
    for node in line.nodes[index:index + 2]:  # (the piece and the next read with it)
        if node is not None and (in_comments(node) or in_other_posts(node)):
            return False  # a comment's or a teaser's date
    if _RELATIVE_WORDS.search(shown[1]) or not _disagree(machine[0], shown[0]):
        return False
    placeholder = machine[0].value.month == 1 and machine[0].value.day == 1
    if modified and not _disagree(modified[0], shown[0]) and not placeholder:
        return False
    in_url = url_date(page.url, tz, now)
    return not (in_url and in_url[0].value.date() == machine[0].value.date())


def _january_first(stamp: Stamp) -> bool:
    return not stamp.has_time and stamp.value.month == 1 and stamp.value.day == 1


def _disagree(machine: Stamp, shown: Stamp) -> bool:
    """Whether a date shown in the header names another day than a machine value, allowing
    for a zone: a shown wall-clock time a whole number of quarter hours (at most 14 hours) off
    the machine's instant is the same moment, and a shown day one off a zoned instant may be
    its local day."""
    a, b = machine.value.replace(second=0, microsecond=0), shown.value.replace(second=0, microsecond=0)
    if shown.has_time and machine.has_time:
        if shown.has_zone and machine.has_zone:
            return a != b
        shift = b.replace(tzinfo=None) - (a.astimezone(UTC).replace(tzinfo=None) if machine.has_zone
                                           else a.replace(tzinfo=None))
        if not machine.has_zone and not shown.has_zone:
            return a.date() != b.date()
        return abs(shift) > timedelta(hours=14) or bool(shift % timedelta(minutes=15))
    if _AMBIGUOUS_NUMERIC.fullmatch(shown.written) and b.day <= 12 and b.replace(month=b.day, day=b.month).date() == a.date():
        return False  # 06/01/2020 read day first is June 1st read month first
    days = abs((b.date() - a.date()).days)
    return days > (1 if machine.has_time and machine.has_zone else 0)


def _with_time(found: Found, page: Page, tz: tzinfo, now: datetime) -> Found:
    """A date-only find replaced by a ``<time>`` value of the same day that has a time (the
    header's ``28.04.2023`` is often the text of ``<time datetime="2023-04-28T18:16:04+02:00">``)."""
    timed = attempt(_time_elements, page, tz, now, True)
    if timed and timed[0].value.date() == found[0].value.date():
        return timed
    return found


def _date_in_header(page: Page, tz: tzinfo, now: datetime) -> HeaderDates:
    """(published, updated) nearest the headline: a piece with a publication label first
    (发布时间 before 更新时间, Published before Updated), then any unlabelled piece. A piece is
    also read together with the next one, since CMSs split ``发布时间：10-08`` and ``12:00``
    into two spans."""
    texts = header_texts(page)
    joined = [f"{t} {texts[i + 1]}" if i + 1 < len(texts) and len(texts[i + 1]) < 30 else t
              for i, t in enumerate(texts)]
    published: Found | None = None
    modified: Found | None = None
    index = len(joined)
    for i, text in enumerate(joined):
        if published and modified:
            break
        lowered = lowered_for_words(text)
        updated = _label(_UPDATE_LABEL, _UPDATE_WORDS, text, lowered)
        if updated and modified is None:
            cut = _PUBLISH_LABEL.split(text[updated.end():], maxsplit=1)[0]
            if (stamp := parse_stamp(cut, tz, now)):
                modified = stamp, stamp.written or text
        labelled = published is None and _label(_PUBLISH_LABEL, _PUBLISH_WORDS, text, lowered) is not None
        if published is None and (labelled or (not updated and _label(_DATE_LABEL, _DATE_WORDS, text, lowered))):
            cut = _PUBLISH_LABEL.split(text, maxsplit=1)[-1] if labelled else text
            cut = _UPDATE_LABEL.split(cut, maxsplit=1)[0]
            if (stamp := parse_stamp(_DATE_LABEL.sub(" ", cut), tz, now)):
                published = stamp, stamp.written or text
                index = i
    if published is None:
        bare: list[tuple[int, Stamp, str]] = []
        for i, text in enumerate(joined):
            if (_label(_UPDATE_LABEL, _UPDATE_WORDS, text, lowered_for_words(text)) or _COPYRIGHT.search(text)
                    or not _bare_date_piece(text)):
                continue
            before = texts[i - 1] if i else ""
            if before.rstrip().endswith((":", "：")) and not (_DATE_LABEL.search(before)
                                                            or _PUBLISH_LABEL.search(before)):
                continue  # the value of another label in the piece before (Erscheinungsdatum: | 14.08.2017)
            if (stamp := parse_stamp(text, tz, now)):
                bare.append((i, stamp, text))
                if _only_a_date(texts[i], stamp) or len(bare) >= 3:
                    break
        # a piece that is only a date is the date line; a date inside other words (a title's
        # "(2020/7/11-12, …)") only when no piece is
        pick = next((b for b in bare if _only_a_date(texts[b[0]], b[1])), bare[0] if bare else None)
        if pick:
            published = pick[1], pick[1].written or pick[2]
            index = pick[0]
    if published is None or index >= _SHOWN_WITHIN:
        # a date line right above the headline is nearer than one far below it
        above = _date_above_headline(page, tz, now)
        if above:
            published, index = above, 0
    return HeaderDates(published, modified, index)


def _pieces_above(page: Page) -> list[str]:
    """The texts of the few short elements right above the headline, nearest first: its
    preceding siblings, then its parent's and grandparent's (a header that puts the date line
    above the title: ``<div class="date">January 19, 2020</div><h1>``). Stops at the first
    long text: that is content, not the header."""
    h1 = headline_element(page)
    out: list[str] = []
    node = h1
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            break
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in ("script", "style", "noscript", "template"):
                continue
            text = element_text(sib)
            if not text:
                continue
            if len(text) > 80 or len(out) >= 3:
                return out
            out.append(text)
        node = node.getparent()
    return out


def _date_above_headline(page: Page, tz: tzinfo, now: datetime) -> Found | None:
    """A date line right above the headline: the part before an update label
    (``January 19, 2020 / 12:25 PM / Updated 8 hours ago``), after a publication label."""
    for text in _pieces_above(page):
        if _COPYRIGHT.search(text) or _RELATIVE_WORDS.search(text.split("Updated")[0]):
            continue
        cut = _PUBLISH_LABEL.split(text, maxsplit=1)[-1]
        cut = _UPDATE_LABEL.split(cut, maxsplit=1)[0]
        if _bare_date_piece(cut) and (stamp := parse_stamp(cut, tz, now, relative=False)):
            return stamp, stamp.written or text
    return None


def _only_a_date(text: str, stamp: Stamp) -> bool:
    """Whether a header piece is (about) nothing but the date it states."""
    return bool(stamp.written) and len(text) - len(stamp.written) <= max(12, len(stamp.written) // 2)


def _bare_date_piece(text: str) -> bool:
    """Whether an unlabelled header piece can be the article's date line: short, and no other
    label before its first digit (``Registriert: 18.09.2008``, ``Erscheinungsdatum: …`` and
    ``gültig seit: …`` are other dates), so a sentence that mentions a day is not taken."""
    if len(text) > 70:
        return False
    digit = _HAS_DIGITS.search(text)
    return not (digit and _OTHER_LABEL.search(text, 0, digit.start()))


def _labelled_date_anywhere(page: Page, tz: tzinfo, now: datetime, label: re.Pattern[str] = _PUBLISH_LABEL,
                            words: AnyWord = _PUBLISH_WORDS) -> Found | None:
    """No headline or nothing near it: a date with a publication label (or ``label``)
    anywhere outside comments, teasers, scripts and styles; a label alone in its text node
    (``<label>Letzte Änderung:</label><div>14.01.2022</div>``) takes the next short text."""
    # one C-level search spares the walk over every text node (without word boundaries: the
    # body's string joins text nodes with nothing between them, "14:49:39Erschienen am")
    if not page.body_has_any(words):
        return None
    nodes = xpath(page.tree, "//body//text()[not(ancestor::script) and not(ancestor::style)]")
    for i, node in enumerate(nodes):
        text = str(node)
        if len(text) > 200 or not label.search(text):
            continue
        parent = node.getparent()
        if in_comments(parent) or in_other_posts(parent):
            continue
        cut = label.split(text, maxsplit=1)[-1]
        if not _HAS_DIGITS.search(cut) and not cut.strip(" :：") and i + 1 < len(nodes):
            cut = str(nodes[i + 1]) if len(nodes[i + 1]) <= 60 else ""
        if _HAS_DIGITS.search(cut) and (stamp := parse_stamp(cut, tz, now)):
            return stamp, stamp.written or text.strip()
    return None


