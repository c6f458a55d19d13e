"""Title, dates, authors, source, tags and counts, each from an ordered list of sources.

Order per field: structured data (JSON-LD, OpenGraph/meta) -> visible labelled markup
(发布时间 / 来源 / 作者 / 责任编辑 / 阅读 labels, ``<time>``, bylines) -> heuristics near the
headline. A failing source never breaks the page; the next one is tried.
Editors (责任编辑, 编辑, 责编) are never authors; 来源 / 本文来自 / 转载自 lines go to ``source``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from lxml import etree

from crawler.parsing.dates import NUMERIC, Stamp, parse_stamp
from crawler.parsing.datesources import htmldate_day, jsonld_dates, local_midnight, local_zone, url_date
from crawler.parsing.headline import TITLE_SEPARATORS, headline_element
from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import (
    Page,
    element_text,
    in_document_order,
    owners_of_matches,
    search_ignorecase,
    squash,
    xpath,
)
from crawler.parsing.people import (
    _EDITOR_BEFORE,
    editor_only,
    jsonld_people,
    looks_like_person,
    loose,
    name_shaped,
    split_people,
)
from crawler.parsing.record import Source
from crawler.parsing.title import extract_title, site_name_keys  # noqa: F401  (extract_title: re-exported)

_COMMENTISH = re.compile(r"comment|reply|respond|discuss|pinglun|评论|留言", re.I)
_EDITOR = re.compile(r"(责任编辑|責任編輯|责编|責編|编辑|編輯|校对|審核|审核|监制|编审)\s*[:：]")
_AUTHOR_LABEL = re.compile(r"(?:作者|文|撰文|记者|記者|通讯员|author)\s*[:：|丨]\s*([^\s|/，,;；　]{1,30}(?:[\s、,，][^\s|/，,;；:：　]{1,20}){0,3})", re.I)
_SOURCE_LABEL = re.compile(r"(?:来源|來源|出处|稿源|source)\s*[:：]\s*([^\s|/　]{1,40}(?:\s[^\s|/:：　]{1,20})?)", re.I)
_REPRINT = re.compile(
    r"^\s*[(（【\[]?\s*(?:本文|文章|此文|内容)?\s*(?:[来來]自|[转轉]载自|[转轉]自|[来來]源于|原文[来來]自)\s*"
    r"(?P<channel>微信公[众衆][号號]|公[众衆][号號]|[^:：\s,，]{0,8}?)\s*[:：「“]?\s*"
    r"(?P<name>[^(（,，:：」”\s][^(（,，:：」”]*?)\s*(?:[(（]\s*(?:ID|id|微信号)\s*[:：]\s*(?P<id>[\w.-]+)\s*[)）])?"
    r"\s*(?:[,，]\s*作者\s*[:：]\s*(?P<author>[^,，。()（）]+))?\s*(?:[,，。]|$)"
)
_COMMENT_COUNT = re.compile(r"(\d[\d,]*)\s*(?:条评论|條評論|条留言|评论|評論|跟帖|跟贴|comments?\b|replies\b)|(?:评论|評論|留言|comments?)\s*[:：(（\[]?\s*(\d[\d,]*)", re.I)
_VIEW_COUNT = re.compile(r"(?:阅读|閱讀|浏览|瀏覽|点击|點擊|围观|阅读量|浏览量|views?|reads?)\s*(?:量|数|次数)?\s*[:：(（]?\s*(\d[\d,]*)\s*(?:次|人)?"
                         r"|(\d[\d,]*)\s*(?:次阅读|次浏览|人阅读|次点击|人浏览|views\b|reads\b)", re.I)


def _in_comments(el: Any) -> bool:
    node = el
    while node is not None:
        if isinstance(node.tag, str):
            marker = f'{node.get("class", "")} {node.get("id", "")}'
            if marker.strip() and search_ignorecase(_COMMENTISH, marker) and node.tag not in ("html", "body"):
                return True
        node = node.getparent()
    return False


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
_DATE_LABEL = re.compile(r"(发布时间|發佈時間|发布日期|发表时间|發表時間|发表于|发布于|更新时间|时间|時間|日期|published|posted|updated|date)\s*[:：]?", re.I)
# Publication and update labels in many languages: a header that shows both dates names each.
_PUBLISH_LABEL = re.compile(
    r"发布时间|發佈時間|发布日期|發布日期|发表时间|發表時間|发表于|發表於|发布于|發佈於|出版日期|公開日|投稿日|掲載日|게시일|등록일|입력"
    r"|\b(?:published|posted|first published|publication date|erstellt|veröffentlicht|publiziert|publié|publie|"
    r"publicado|publicada|pubblicato|pubblicata|gepubliceerd|geplaatst|opublikowano|publikováno|опубликовано|erschienen|"
    r"дата публикации|yayınlanma|julkaistu|publicerad|udgivet|publisert)\b(?:\s+(?:on|am|le|el|il|op|em))?\s*[:：]?",
    re.I)
_PUBLISH_WORDS = re.compile(_PUBLISH_LABEL.pattern.replace(r"\b", ""), re.I)
_UPDATE_LABEL = re.compile(
    r"更新时间|更新時間|最后更新|最終更新|수정|\b(?:updated|last updated|last modified|modified|aktualisiert|"
    r"zuletzt aktualisiert|geändert|letzte änderung|stand|mis à jour|mise à jour|actualizado|actualizada|aggiornato|aggiornata|"
    r"bijgewerkt|atualizado|atualizada|zaktualizowano|обновлено|güncellendi|päivitetty|uppdaterad|opdateret|"
    r"oppdatert)\b\s*(?:on|am|le|el|il|op|em)?\s*[:：-]?", re.I)
# a relative time (3 hours ago, 昨天) is as old as the fetch: never a reason to doubt a machine value
_RELATIVE_WORDS = re.compile(r"\bago\b|\bjust now\b|\btoday\b|\byesterday\b|[前昨今]|刚刚", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_AMBIGUOUS_NUMERIC = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{4}")
_UPDATE_WORDS = re.compile(_UPDATE_LABEL.pattern.replace(r"\b", ""), re.I)
_COPYRIGHT = re.compile(r"©|&copy;|\bcopyright\b", re.I)
_HAS_DIGITS = re.compile(r"\d")
_OTHER_LABEL = re.compile(r"[^\W\d_]{2,}\s*[:：]")
_META_BOX = re.compile(r"(?:^|[\s_-])(?:meta|post-?meta|entry-?meta|article-?meta|byline|dateline)(?:$|[\s_-])", re.I)
_OTHER_POSTS = re.compile(r"related|recommend|similar|more-?stories|read-?more|teaser|sidebar|widget|embed|"
                          r"other-?posts|also-?read|trending|popular|newsletter|twitter-tweet|instagram|"
                          r"next-?post|prev-?post|previous-?post|post-?navigation", re.I)
# a union of per-attribute and per-tag paths: far cheaper than one predicate list tried on every element
_PUBLISHED_MARKUP = etree.XPath(
    '//*[@itemprop="datePublished"] | //*[@pubdate] | //*[@property="datePublished"]'
    ' | //abbr[contains(concat(" ", normalize-space(@class), " "), " published ")]'
    ' | //time[contains(@class, "published") or contains(@class, "entry-date")]')


def header_texts(page: Page, limit: int = 40) -> list[str]:
    """Short text pieces right after the headline in document order, up to the body's start:
    where the meta line (date, 来源, 作者, counts) of an article lives. An element's tail
    comes after its children's text, as a reader sees it. Computed once per page."""
    cached = page.__dict__.get("_header_texts")
    if cached is not None:
        return cached[:limit]
    out = _walk_header(page, 40)
    page.__dict__["_header_texts"] = out
    return out[:limit]


def _events_after(el: Any) -> Iterator[tuple[str, Any]]:
    """What ``etree.iterwalk(root, events=("start", "end"))`` yields after ``el``'s end,
    without walking (in Python) the whole page above it: each following sibling's
    subtree, then the parent's end, then the parent's following siblings, and so up.
    Comments and processing instructions only get a start and an end."""
    node = el
    while True:
        for sib in node.itersiblings():
            if isinstance(sib.tag, str):
                yield from etree.iterwalk(sib, events=("start", "end"))
            else:
                yield "start", sib
                yield "end", sib
        node = node.getparent()
        if node is None:
            return
        yield "end", node


def _walk_header(page: Page, limit: int) -> list[str]:
    """``header_texts``' walk; the element holding each piece goes to ``_header_nodes``."""
    h1 = headline_element(page)
    if h1 is None:
        return []
    out: list[str] = []
    nodes: list[Any] = []
    page.__dict__["_header_nodes"] = nodes
    text = (h1.tail or "").strip()
    if text:
        out.append(text)
        nodes.append(h1.getparent())
    for event, node in _events_after(h1):
        if not isinstance(node.tag, str):
            continue
        if event == "start" and (stated := node.get("data-date") or node.get("data-datetime")) \
                and _YEAR.search(stated) and len(stated) <= 40:
            out.append(stated.strip())  # a header element's date attribute (a timeline's marker)
            nodes.append(node)
        raw = node.text if event == "start" else node.tail
        if event == "start" and node.tag in ("script", "style", "noscript", "template"):
            raw = None
        text = (raw or "").strip()
        if not text:
            continue
        if len(text) > 160:
            break
        if event == "start" and node.tag == "time" and not _YEAR.search(text) and _YEAR.search(node.get("datetime", "")):
            # a <time> that reads "1 minute ago" or "Mar 18" states the full value in its attribute
            text = node.get("datetime").strip()
            page.__dict__.setdefault("_header_attr_pieces", set()).add(len(out))
        out.append(text)
        nodes.append(node if event == "start" else node.getparent())
        if len(out) >= limit:
            break
    return out


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
        if el.tag == "meta" or _in_comments(el) or _in_other_posts(el):
            continue
        for raw in (el.get("datetime"), el.get("content"), el.get("title"), element_text(el)):
            if raw and (stamp := parse_stamp(raw, tz, now, relative=False)):
                return stamp, raw.strip()
    return None


def _in_other_posts(el: Any) -> bool:
    """Inside a related/recommended teaser, an embed, or a sidebar: those dates are other pages'."""
    node = el
    for _ in range(12):
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return False
        marker = f'{node.get("class", "")} {node.get("id", "")}'
        if node.tag in ("blockquote", "iframe") or node.tag == "aside" and not _META_BOX.search(marker):
            return True  # (an <aside class="meta"> is the article's own date and byline box)
        if len(marker) > 1 and _OTHER_POSTS.search(marker):
            return True
    return False


def _time_elements(page: Page, tz: tzinfo, now: datetime, with_time: bool = False) -> Found | None:
    """The first ``<time>`` outside comments and teasers: its datetime attribute, else its text.
    ``with_time``: only a value that has a time of day."""
    for el in page.tree.iter("time"):
        if _in_comments(el) or _in_other_posts(el):
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
    as the page wrote it."""
    ld_published, ld_modified = jsonld_dates(page, tz, now)
    published = ld_published or _first_meta(page, _PUBLISHED_META, tz, now)
    header_published, header_modified = _date_in_header(page, tz, now)
    if published and not ld_published and not _first_meta(page, _STRONG_META, tz, now) \
            and not (header_published and not _disagree(published[0], header_published[0])):
        # only a document-record date (``date``, ``dc.date``) that the header does not confirm:
        # a <time> of another day in the article is its publication
        shown = _time_elements(page, tz, now)
        if shown and _disagree(published[0], shown[0]):
            published = shown
    published = published or _marked_up(page, tz, now)
    year_only = None
    if published and _january_first(published[0]):
        # a bare January 1st (``01/01/2004``) is a year written as a date: kept as the last resort
        year_only, published = published, None
    modified = ld_modified or _first_meta(page, _MODIFIED_META, tz, now) or header_modified
    if published and header_published and _shown_instead(page, published, header_published, modified, tz, now):
        published = header_published
    published = published or header_published or _time_elements(page, tz, now)
    published = published or _labelled_date_anywhere(page, tz, now)
    guessed = False
    if published is None:
        # Without a headline the page is more likely a listing (a day archive's URL names a day
        # too, and htmldate would date it by its teasers): the guess is kept for the record but
        # flagged, so that it does not make the page pass for an article.
        published = url_date(page.url, tz, now)
        if published is None:
            # a page that only states when it was updated is dated by that: a stated date
            # beats htmldate's guess
            modified = modified or _labelled_date_anywhere(page, tz, now, _UPDATE_LABEL, _UPDATE_WORDS)
            published = modified or htmldate_day(page, tz, now)
        guessed = published is not None and headline_element(page) is None
    published = published or year_only
    if published and not published[0].has_time:
        published = _with_time(published, page, tz, now)
    hints = [found[0] for found in (header_published, header_modified) if found]
    if published:
        published = local_midnight(local_zone(published[0], page, hints), page.language), published[1]
    if modified:
        modified = local_zone(modified[0], page, hints), modified[1]
    return DateFields(published[0].text() if published else None, modified[0].text() if modified else None,
                      published[1][:200] if published else None, modified[1][:200] if modified else None,
                      guessed)


# the header's date counts as shown beside the headline only among its first pieces
_SHOWN_WITHIN = 6


def _shown_instead(page: Page, machine: Found, shown: Found, modified: Found | None, tz: tzinfo,
                   now: datetime) -> bool:
    """Whether the date the header shows beside the headline should replace the machine
    value (JSON-LD, meta, markup) of another day: the day the article shows its readers wins
    over a template's or an import's date. Not when the shown date is relative (as old as the
    fetch), far from the headline, the machine value's update date (the page shows when it
    was updated, the original stays), or when the URL names the machine value's day."""
    index = page.__dict__.get("_header_date_index", _SHOWN_WITHIN)
    from_attr = page.__dict__.get("_header_attr_pieces", ())
    if index >= _SHOWN_WITHIN or index in from_attr or index + 1 in from_attr:  # (a piece is read with the next)
        return False  # far from the headline, or shown as "3 hours ago"
    for node in page.__dict__.get("_header_nodes", [])[index:index + 2]:  # (the piece and the next read with it)
        if node is not None and (_in_comments(node) or _in_other_posts(node)):
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
    timed = _time_elements(page, tz, now, with_time=True)
    if timed and timed[0].value.date() == found[0].value.date():
        return timed
    return found


def _date_in_header(page: Page, tz: tzinfo, now: datetime) -> tuple[Found | None, Found | None]:
    """(published, updated) nearest the headline: a piece with a publication label first
    (发布时间 before 更新时间, Published before Updated), then any unlabelled piece. A piece is
    also read together with the next one, since CMSs split ``发布时间：10-08`` and ``12:00``
    into two spans."""
    texts = header_texts(page)
    joined = [f"{t} {texts[i + 1]}" if i + 1 < len(texts) and len(texts[i + 1]) < 30 else t
              for i, t in enumerate(texts)]
    published: Found | None = None
    modified: Found | None = None
    page.__dict__["_header_date_index"] = len(joined)
    for i, text in enumerate(joined):
        if published and modified:
            break
        updated = _UPDATE_LABEL.search(text)
        if updated and modified is None:
            cut = _PUBLISH_LABEL.split(text[updated.end():], maxsplit=1)[0]
            if (stamp := parse_stamp(cut, tz, now)):
                modified = stamp, stamp.written or text
        if published is None and (_PUBLISH_LABEL.search(text) or (_DATE_LABEL.search(text) and not updated)):
            cut = _PUBLISH_LABEL.split(text, maxsplit=1)[-1] if _PUBLISH_LABEL.search(text) else text
            cut = _UPDATE_LABEL.split(cut, maxsplit=1)[0]
            if (stamp := parse_stamp(_DATE_LABEL.sub(" ", cut), tz, now)):
                published = stamp, stamp.written or text
                page.__dict__["_header_date_index"] = i
    if published is None:
        bare: list[tuple[int, Stamp, str]] = []
        for i, text in enumerate(joined):
            if _UPDATE_LABEL.search(text) or _COPYRIGHT.search(text) or not _bare_date_piece(text):
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
            page.__dict__["_header_date_index"] = pick[0]
    if published is None or page.__dict__["_header_date_index"] >= _SHOWN_WITHIN:
        # a date line right above the headline is nearer than one far below it
        published = _date_above_headline(page, tz, now) or published
    return published, modified


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
            page.__dict__["_header_date_index"] = 0
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
                            words: re.Pattern[str] = _PUBLISH_WORDS) -> Found | None:
    """No headline or nothing near it: a date with a publication label (or ``label``)
    anywhere outside comments, teasers, scripts and styles; a label alone in its text node
    (``<label>Letzte Änderung:</label><div>14.01.2022</div>``) takes the next short text."""
    # one C-level search spares the walk over every text node (without word boundaries: the
    # body's string joins text nodes with nothing between them, "14:49:39Erschienen am")
    if not words.search(page.body_string):
        return None
    nodes = xpath(page.tree, "//body//text()[not(ancestor::script) and not(ancestor::style)]")
    for i, node in enumerate(nodes):
        text = str(node)
        if len(text) > 200 or not label.search(text):
            continue
        parent = node.getparent()
        if _in_comments(parent) or _in_other_posts(parent):
            continue
        cut = label.split(text, maxsplit=1)[-1]
        if not _HAS_DIGITS.search(cut) and not cut.strip(" :：") and i + 1 < len(nodes):
            cut = str(nodes[i + 1]) if len(nodes[i + 1]) <= 60 else ""
        if _HAS_DIGITS.search(cut) and (stamp := parse_stamp(cut, tz, now)):
            return stamp, stamp.written or text.strip()
    return None


# --- people and attribution ------------------------------------------------------------------

def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


_NOT_NAMES = {"未知", "佚名", "网络整理", "网络", "本站", "匿名", "admin", "administrator", "name", "编辑", "小编", "unknown",
              "staff", "网友"}
_LABEL_ONLY = re.compile(r"(?:^|[\s|丨/·•])(?P<label>作者|撰文|记者|記者|文|来源|來源|信息来源|本文来源|稿源|出处|author|source)\s*[:：]?\s*$", re.I)
# Reporter lines inside the article: 澎湃新闻记者 段彦超 廖艳 / 采写：南都见习记者 林子沛 / 《棱镜》作者 周纯,
# and the agency dateline 新华社巴黎12月9日电（记者唐霁）.
_NAME = r"[\u4e00-\u9fff·]{2,4}"
_BYLINE_LINE = re.compile(r"^\s*(?:采写|撰文|文|作者)?\s*[:：|丨]?\s*\S{0,12}?(?:记者|記者|作者|通讯员|撰文)\s*[:：|丨]?\s*"
                          rf"(?P<names>{_NAME}(?:\s*[\s、，,和]\s*{_NAME}){{0,3}})\s*$")
_DATELINE = re.compile(rf"^\S{{0,16}}电\s*[（(]\s*(?:记者|記者)\s*(?P<names>{_NAME}(?:\s*[、，,\s]\s*{_NAME}){{0,3}})\s*[)）]")


def _site_names(page: Page) -> list[str]:
    """Names the page uses for its own site: og:site_name and the <title> suffix parts."""
    names = [page.meta.get("og:site_name", ""), page.meta.get("application-name", "")]
    parts = [p for p in TITLE_SEPARATORS.split(page.doc_title) if p]
    if len(parts) > 1:
        names += parts[1:]
    return [n.strip().lower() for n in names if n and n.strip()]


def _is_person(name: str, site_names: list[str], source: str | None) -> bool:
    """Reject what CMSs put in author slots that is not a person: the site itself, the source,
    placeholders (``name, email@gmail.com``), 未知 / 网络整理, URLs."""
    low = name.strip().lower()
    if not low or low in _NOT_NAMES or "@" in low or low.startswith("http") or len(low) > 40:
        return False
    if source and low == source.strip().lower():
        return False
    return not any(low == s or (len(low) >= 2 and low in s) or (len(s) >= 2 and s in low) for s in site_names)


def header_labels(page: Page) -> dict[str, str]:
    """``来源`` / ``作者`` values of the meta line: a label and its value are often separate
    pieces (``来源:`` + ``<a>证券市场红周刊</a>``; ``作者`` + ``<span>魏星</span>``)."""
    cached = page.__dict__.get("_header_labels")
    if cached is not None:
        return cached
    found: dict[str, str] = {}
    texts = header_texts(page)
    for i, text in enumerate(texts):
        match = _LABEL_ONLY.search(text)
        if match and i + 1 < len(texts):
            kind = "author" if match.group("label").lower() in ("作者", "撰文", "记者", "記者", "文", "author") else "source"
            value = re.split(r"\s+|[|丨]", texts[i + 1].strip())[0]
            if value and not _LABEL_ONLY.search(value) and not NUMERIC.search(value) and not value.isdigit():
                found.setdefault(kind, value)
    page.__dict__["_header_labels"] = found
    return found


def _body_bylines(page: Page) -> list[str]:
    """Reporter names from short byline paragraphs or an agency dateline in the article."""
    body = page.tree.body
    if body is None or page.language != "zh":  # the patterns are Chinese reporter lines
        return []
    for el in body.iter("p", "strong", "span"):
        if len(el) > 4:
            continue
        text = element_text(el)
        if not text:
            continue
        if len(text) <= 40:
            match = _BYLINE_LINE.match(text)
        else:
            match = _DATELINE.match(text[:60])
        if match and not _in_comments(el):
            names = [n for n in re.split(r"\s*[\s、，,和]\s*", match.group("names")) if n]
            return [n for n in names if _is_person(n, _site_names(page), None)]
    return []


_REL_ITEMPROP = etree.XPath("//body//*/@rel | //body//*/@itemprop")
_BODY_CLASSES = etree.XPath("//body//*/@class")
# a class that is exactly "author", "authors" or "author-2": as one token of several
# ("author fright") it also marks the names of commenters and quoted posts
_AUTHOR_CLASS = re.compile(r"byline|author-name|authorName|post-author|article-author"
                           r"|(?<![^\0])authors?(?:-\d)?(?![^\0])")


def _author_markup(page: Page) -> list[Any]:
    """Body elements with rel or itemprop "author", or an author class (``byline``,
    ``author-name``... or exactly ``author``), in document order. The XPath this replaces
    tested each element's class five times over in libxml2, which copies the value for
    every test; reading the values once is several times faster on large pages."""
    marked = [value.getparent() for value in _REL_ITEMPROP(page.tree) if value == "author"]
    classed = owners_of_matches(_BODY_CLASSES(page.tree), _AUTHOR_CLASS)
    if marked and classed:
        return in_document_order(marked + classed)
    return list(dict.fromkeys(marked)) or classed  # rel and itemprop of one element: once


_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "sailthru.author",
                 "parsely-author", "cxenseparse:author", "article:author_name", "citation_author")
# "By Jane Doe" / "Von Max Muster" as a short line of its own (not prose: capitalised label)
_BY_LINE = re.compile(r"^\s*(?:By|BY|Von|VON|Par|Por|Door|Af|Av)\s+(?P<names>[^\W\d_][^.!?]{1,70})$")
_RIGHT_ALIGNED = etree.XPath('//body//p[contains(translate(@style, " ", ""), "text-align:right")]')


def _outlets(page: Page) -> list[str]:
    """Loose forms of the outlet's names: site names, the JSON-LD publisher and any
    organisation named as author, the host's labels."""
    keys = set(site_name_keys(page))
    art = jsonld_article(page)
    keys.update(loose(n) for n in _names(art.get("publisher")))
    keys.update(loose(n) for n in jsonld_people(page, art.get("author"))[1])
    keys.update(loose(n) for n in _site_names(page))
    return [k for k in keys if len(k) >= 2]


def _element_text_before(el: Any) -> str:
    """The text right before an element: its previous sibling's tail or text, else the
    parent's leading text."""
    prev = el.getprevious()
    if prev is not None:
        return (prev.tail or "").strip() or element_text(prev)
    parent = el.getparent()
    return (parent.text or "") if parent is not None else ""


def _signature(page: Page, ok: Any) -> list[str]:
    """A name signed under the article: the last right-aligned paragraph, short and
    holding only a name (Vietnamese and other outlets sign articles so)."""
    for el in reversed(_RIGHT_ALIGNED(page.tree)[-3:]):
        text = element_text(el)
        if 2 < len(text) <= 40 and len(text.split()) <= 5 and not _in_comments(el):
            names = [n for n in split_people(text) if ok(n) and name_shaped(n)]
            if names:
                return names
    return []


_BY_ANYWHERE = re.compile(r"(?:By|BY|Von|VON|Par|Por|Door|Af|Av)\s+[^\W\d_]")


def _by_line(page: Page, ok: Any) -> list[str]:
    """A visible "By X" line anywhere in the body, when no other source names anyone. The
    text nodes are searched only when the body's text has such a label at all."""
    if not _BY_ANYWHERE.search(page.body_string):
        return []
    for node in page.body_texts_containing("By ", "BY ", "Von ", "VON ", "Par ", "Por ", "Door ", "Af ", "Av "):
        text = squash(str(node))
        match = _BY_LINE.match(text)
        parent = node.getparent()
        if not match or parent is None or parent.tag in ("script", "style") or _in_comments(parent):
            continue
        if parent.tag == "a" or any(a.tag == "a" for a in parent.iterancestors()):  # a teaser of another article
            continue
        names = [n for n in split_people(match.group("names")) if ok(n) and name_shaped(n)]
        if names:
            return names
    return []


def extract_authors(page: Page) -> list[str]:
    """Bylines: JSON-LD author, meta author, byline markup, 作者/记者 labels, reporter lines in
    the article, a signature, a "By" line (never editors, the site itself or placeholders).
    A JSON-LD author the page shows only as its editor ("Editor : X") is passed over, and so
    is JSON-LD that names only the outlet: the visible byline names the people."""
    site_names = _site_names(page)
    source = _header_source(page)
    outlets = _outlets(page)

    def ok(name: str) -> bool:
        return looks_like_person(name, outlets) and _is_person(name, site_names, source)

    art = jsonld_article(page)
    # A name the JSON-LD types as a Person may contain the outlet's ("Guardian staff
    # reporter"); only the outlet's own name is no person.
    found = [n for n in jsonld_people(page, art.get("author"))[0]
             if looks_like_person(n, outlets, exact=True) and _is_person(n, [], source) and loose(n) not in outlets]
    found = [n for n in found if not editor_only(page, n)]
    if not found:
        for key in _AUTHOR_META:
            value = page.meta.get(key)
            if value and not value.startswith("http"):
                found += [n for n in split_people(value, metadata=True) if ok(n)]
                if found:
                    break
    if not found:
        for el in _author_markup(page):
            if _in_comments(el):
                continue
            text = element_text(el)
            if text and len(text) < 80 and not _EDITOR.search(text) and not _EDITOR_BEFORE.search(
                    _element_text_before(el).strip()[-40:]):
                found += [n for n in split_people(_AUTHOR_LABEL.sub(lambda m: m.group(1), text)) if ok(n)]
                if found:
                    break
    if not found:
        labelled = header_labels(page).get("author")
        if labelled and ok(labelled):
            found.append(labelled)
    if not found:
        for text in header_texts(page):
            text = _EDITOR.split(text)[0]
            match = _AUTHOR_LABEL.search(text)
            if match:
                found += [n for n in split_people(match.group(1)) if ok(n)]
                break
    if not found:
        found = _body_bylines(page)
    if not found:
        found = _signature(page, ok)
    if not found:
        found = _by_line(page, ok)
    out: list[str] = []
    for name in found:
        if name and name not in out and not name.startswith("http"):
            out.append(name)
    return out


def parse_source_line(text: str) -> Source | None:
    """A 本文来自… / 转载自… attribution line, split into channel, name, account id and author."""
    match = _REPRINT.search(text)
    if not match:
        return None
    name = match.group("name").strip()
    if not name or len(name) > 40:
        return None
    channel = match.group("channel") or None
    return Source(name=name, account_id=match.group("id"), author=(match.group("author") or "").strip() or None,
                  channel=channel.strip() if channel else None, line=squash(text))


_SOURCE_CLASS = re.compile(r"(?:^|[\s_-])(?:source|article[_-]?source|a_source|ne_article_source|from)(?:$|[\s_-])", re.I)
_SOURCE_LINE = re.compile(r"^\s*(?:本文|信息|稿件|新闻)?(?:来源|來源|稿源|出处)\s*[:：]\s*(?P<name>[^\s|/　:：]{2,30})")


def _first_token(value: str) -> str:
    """The source name out of ``新华网 作者：…`` or ``Reuters Health | 2019``: the first word,
    or several capitalised Latin words."""
    value = re.split(r"\s*(?:作者|编辑|责任编辑|责编|记者|发布|时间|阅读|浏览|\d{4}[-年])", value.strip())[0]
    words = value.split()
    if not words:
        return ""
    if re.fullmatch(r"[A-Za-z][\w.&-]*", words[0]):
        out = [words[0]]
        for word in words[1:4]:
            if not re.fullmatch(r"[A-Z][\w.&-]*", word):
                break
            out.append(word)
        return " ".join(out)
    return words[0].strip("，,。;；")


_SOURCE_CLASSED = './/*[contains(@class, "source") or contains(@class, "Source")]'
_CLASSES_BELOW = etree.XPath(".//*/@class", smart_strings=False)


def _source_classed(region: Any) -> list[Any]:
    """The elements below ``region`` whose class holds "source" or "Source", in document
    order. The XPath's two string tests of every element cost several times more than
    reading the class values as plain strings, and most regions have no such class."""
    classes = "\0".join(_CLASSES_BELOW(region))
    if "source" not in classes and "Source" not in classes:
        return []
    return xpath(region, _SOURCE_CLASSED)


def _header_source(page: Page) -> str | None:
    """来源 near the headline (inline or as label + value pieces), else an element classed
    *source* near the top, else a short ``本文来源：…`` / ``来源：…`` line anywhere (often under
    the body, outside the extracted blocks)."""
    cached = page.__dict__.get("_header_source", False)
    if cached is not False:
        return cached
    name: str | None = None
    for text in header_texts(page):
        match = _SOURCE_LABEL.search(text)
        if match:
            name = _first_token(match.group(1)) or None
            if name:
                break
    if name is None:
        name = header_labels(page).get("source")
    if name is None:
        nearby = set(header_texts(page, 20))
        region = headline_element(page)
        for _ in range(3):
            if region is not None and region.getparent() is not None:
                region = region.getparent()
        for el in (_source_classed(region)[:8] if region is not None and nearby else []):
            text = squash(element_text(el))
            if _SOURCE_CLASS.search(el.get("class", "")) and 2 <= len(text) <= 30 and text in nearby:
                text = re.sub(r"^\s*(?:本文|信息)?(?:来源|來源|source)\s*[:：]?\s*", "", text, flags=re.I)
                name = _first_token(text) or None
                if name:
                    break
    if name is None:
        name = _bare_outlet(header_texts(page, 8))
    if name is None:
        for node in page.body_texts_containing("来源", "來源"):
            match = _SOURCE_LINE.match(str(node))
            if match and not _in_comments(node.getparent()):
                name = _first_token(match.group("name")) or None
                if name:
                    break
    page.__dict__["_header_source"] = name
    return name


_OUTLET = re.compile(r"^[\u4e00-\u9fff·]{2,14}(?:通讯社|新闻社|社|日报|晚报|早报|时报|商报|周刊|周报|报|网|網|电视台|广播电台|台|杂志|"
                     r"新闻|客户端|在线|频道)$")


def _bare_outlet(pieces: list[str]) -> str | None:
    """An unlabelled outlet name right beside the date in the meta line ("新华社 2020-01-03
    18:13"): a short Chinese name ending as Chinese media names do (社, 报, 网, 台...)."""
    for i, piece in enumerate(pieces):
        if not NUMERIC.search(piece):
            continue
        for near in pieces[max(0, i - 1):i] + pieces[i + 1:i + 2]:
            if _OUTLET.match(near.strip()):
                return near.strip()
        head = NUMERIC.split(piece, maxsplit=1)[0].strip()
        if _OUTLET.match(head):
            return head
        break
    return None


def extract_source(page: Page, body_blocks: list[str]) -> Source | None:
    """Original publisher: a 本文来自… line (usually last in the body), a 来源 label near the
    headline, else the JSON-LD publisher."""
    for block in reversed(body_blocks[-5:]):
        if len(block) < 60 and (match := _SOURCE_LINE.match(block)) and (name := _first_token(match.group("name"))):
            return Source(name=name, line=squash(block))
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    for block in body_blocks[:2]:
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    name = _header_source(page)
    if name:
        return Source(name=name)
    art = jsonld_article(page)
    publisher = _names(art.get("publisher"))
    if publisher:
        return Source(name=squash(publisher[0]))
    return None


# --- tags and counts -------------------------------------------------------------------------

_REL_TAG_LINKS = ('//body//a[@rel and contains(concat(" ", normalize-space(@rel), " "), " tag ")'
                  ' and not(contains(concat(" ", normalize-space(@rel), " "), " category "))]')
_CLASS_TAG_LINKS = '//body//*[contains(@class, "tag") and not(contains(@class, "stage"))]//a[not(ancestor::nav)]'
_TAG_LINK_XPATHS = {(True, True): etree.XPath(f"{_REL_TAG_LINKS} | {_CLASS_TAG_LINKS}"),
                    (True, False): etree.XPath(_REL_TAG_LINKS), (False, True): etree.XPath(_CLASS_TAG_LINKS)}
_LINK_RELS = etree.XPath("//body//a/@rel", smart_strings=False)
_BODY_CLASS_VALUES = etree.XPath("//body//*/@class", smart_strings=False)


def _tag_links(page: Page) -> list[Any]:
    """Links marked as tags: rel="tag" (not "category"), or inside an element classed *tag*
    (not *stage*) and outside navigation, in document order.

    Each half of that XPath runs only when some rel or class value of the body holds "tag"
    at all, read as plain strings: the string tests of either half, over every link or
    every element, cost several times more than reading the values, and most pages have
    no rel="tag" and many no tag class."""
    rel = "tag" in "\0".join(_LINK_RELS(page.tree))
    classed = "tag" in "\0".join(_BODY_CLASS_VALUES(page.tree))
    return _TAG_LINK_XPATHS[rel, classed](page.tree) if rel or classed else []


def extract_tags(page: Page) -> list[str]:
    """Article tags: article:tag meta, visible tag links, else JSON-LD keywords (not meta keywords, often SEO spam)."""
    tags = [v for k, v in ((el.get("property") or el.get("name"), el.get("content")) for el in page.tree.iter("meta"))
            if k and k.lower() == "article:tag" and v]
    if not tags:
        tags = [element_text(a) for a in _tag_links(page) if not _in_comments(a)]
    if not tags:
        keywords = jsonld_article(page).get("keywords")
        if isinstance(keywords, str):
            keywords = re.split(r"\s*[,，]\s*", keywords)
        if isinstance(keywords, list):
            tags = [k for k in keywords if isinstance(k, str)]
    out: list[str] = []
    for tag in tags:
        tag = squash(tag).lstrip("#")
        if tag and len(tag) <= 40 and tag not in out:
            out.append(tag)
    return out


def _number(text: str) -> int | None:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return None


_COUNT_HINT = re.compile(r"评论|評論|comment|pinglun|#comments|阅读|浏览|views?\b", re.I)
_COUNT_HINT_LOWER = re.compile(_COUNT_HINT.pattern)  # the same, for owners_of_matches(ignorecase=True)
_COMMENT_HINT = re.compile(r"评论|評論|comment|pinglun", re.I)
_VIEW_HINT = re.compile(r"阅读|浏览|views?", re.I)
_DIGITS = re.compile(r"\d[\d,]*")
# One XPath per attribute, not their union: libxml2 merges the node sets of a union with a
# duplicate check of every node against every other (quadratic: 2 of 4 ms on a page with
# 2,400 such attributes), and only the few matching owners need putting in order.
_HINT_ATTRIBUTES = tuple(etree.XPath(f"//body//*/@{name}") for name in ("title", "class", "href"))


def _count_candidates(page: Page) -> list[Any]:
    """The elements of the body whose title, class or href (joined by spaces) matches
    ``_COUNT_HINT``, in document order. No hint spans a space, so the values can be
    searched one by one (see ``owners_of_matches``), each attribute's apart."""
    found = [owners for values_of in _HINT_ATTRIBUTES
             if (owners := owners_of_matches(values_of(page.tree), _COUNT_HINT_LOWER, ignorecase=True))]
    if len(found) > 1:
        return in_document_order([el for owners in found for el in owners])
    return found[0] if found else []


def extract_counts(page: Page) -> tuple[int | None, int | None]:
    """(comment_count, view_count) where the page shows them near the headline."""
    comments = views = None
    joined = " ".join(header_texts(page))
    if (match := _COMMENT_COUNT.search(joined)):
        comments = _number(match.group(1) or match.group(2))
    if (match := _VIEW_COUNT.search(joined)):
        views = _number(match.group(1) or match.group(2))
    for el in _count_candidates(page):
        if comments is not None and views is not None:
            break
        if len(el) > 2:  # counts are leaves or nearly so
            continue
        text = element_text(el)
        number = _DIGITS.fullmatch(text or "")
        labelled = _VIEW_COUNT.fullmatch(text or "") if views is None else None
        if not number and not labelled:
            continue
        # A count inside a list item that links elsewhere belongs to a teaser, not this article.
        if xpath(el, "ancestor::li[.//a[@href]][1]") and not number:
            continue
        hint = f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}'
        if number and comments is None and _COMMENT_HINT.search(hint):
            comments = _number(text)
        elif views is None and _VIEW_HINT.search(hint):
            views = _number(text) if number else _number(labelled.group(1) or labelled.group(2))
    if views is None or comments is None:
        line = _meta_line(page)
        if views is None and line and (match := _VIEW_COUNT.search(line)):
            views = _number(match.group(1) or match.group(2))
        if comments is None and line and (match := _COMMENT_COUNT.search(line)):
            comments = _number(match.group(1) or match.group(2))
    return comments, views


def _meta_line(page: Page) -> str | None:
    """The text of the element holding the labelled publication date (发布时间…), when the
    page has no headline to read its meta line from: its counts stand on the same line."""
    for node in page.body_texts_containing("发布时间", "发表时间", "發佈時間", "发布日期"):
        parent = node.getparent()
        if parent is not None and node.is_tail:  # text after an element belongs to that element's parent
            parent = parent.getparent()
        if parent is None or parent.tag in ("script", "style") or _in_comments(parent):
            continue
        text = element_text(parent)
        if len(text) <= 300:
            return text
    return None
