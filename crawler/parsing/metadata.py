"""Title, dates, authors, source, tags and counts, each from an ordered list of sources.

Order per field: structured data (JSON-LD, OpenGraph/meta) -> visible labelled markup
(发布时间 / 来源 / 作者 / 责任编辑 / 阅读 labels, ``<time>``, bylines) -> heuristics near the
headline. A failing source never breaks the page; the next one is tried.
Editors (责任编辑, 编辑, 责编) are never authors; 来源 / 本文来自 / 转载自 lines go to ``source``.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from crawler.parsing.dates import NUMERIC, iso, parse_date
from crawler.parsing.page import Page, element_text, squash
from crawler.parsing.record import Source

ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "WebPage", "TechArticle", "LiveBlogPosting", "Report")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|–|—|-{1,2}|::|·|/)\s*")
_PREFIX = re.compile(r"^\s*(?:【([^】]{1,15})】|\[([^\]]{1,15})\]|([^:：|丨]{1,12})\s*[:：|丨])\s*(?=\S)")
_LEGIT_PREFIXES = {"opinion", "analysis", "review", "live", "breaking", "exclusive", "update", "updated",
                   "watch", "video", "photos", "interview", "editorial", "explainer", "podcast", "视频", "快讯",
                   "独家", "图集", "专访", "评论", "社论", "原创", "直播", "深度", "重磅", "热点"}
# Bracketed editorial stamps (【转载】 "reposted", [原创] "original") are labels, not headline text.
_BRACKET_MARKERS = {"转载", "轉載", "转", "轉", "原创", "原創", "推荐", "推薦", "荐", "置顶", "置頂", "热", "熱", "图文", "圖文",
                    "视频", "視頻", "组图", "組圖", "独家", "獨家", "快讯", "快訊", "repost", "reposted", "update", "updated"}
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
_COMMENT_COUNT = re.compile(r"(\d[\d,]*)\s*(?:条评论|條評論|条留言|comments?\b|replies\b)|(?:评论|評論|留言|comments?)\s*[:：(（\[]?\s*(\d[\d,]*)", re.I)
_VIEW_COUNT = re.compile(r"(?:阅读|閱讀|浏览|瀏覽|点击|點擊|围观|阅读量|浏览量|views?|reads?)\s*(?:量|数|次数)?\s*[:：(（]?\s*(\d[\d,]*)\s*(?:次|人)?"
                         r"|(\d[\d,]*)\s*(?:次阅读|次浏览|人阅读|次点击|人浏览|views\b|reads\b)", re.I)
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|written by|posted by|von|par|por)\s+", re.I)


def _jsonld_article(page: Page) -> dict[str, Any]:
    found = page.jsonld_of_type(*ARTICLE_TYPES)
    for obj in found:
        if obj.get("@type") != "WebPage" and not (isinstance(obj.get("@type"), list) and obj["@type"] == ["WebPage"]):
            return obj
    return found[0] if found else {}


def _in_comments(el: Any) -> bool:
    node = el
    while node is not None:
        if isinstance(node.tag, str):
            marker = f'{node.get("class", "")} {node.get("id", "")}'
            if marker.strip() and _COMMENTISH.search(marker) and node.tag not in ("html", "body"):
                return True
        node = node.getparent()
    return False


# --- title -----------------------------------------------------------------------------------

def _h1(page: Page) -> Any:
    """The headline element: the first visible h1 outside headers/logos, else None."""
    h1s = [h for h in page.tree.xpath("//body//h1") if element_text(h)]
    if not h1s:
        return None
    doc_title = squash(" ".join(page.tree.xpath("//head/title//text()"))).lower()
    for h in h1s:
        text = element_text(h).lower()
        if len(text) > 4 and (text in doc_title or doc_title[: max(4, len(text) // 2)] in text):
            return h
    for h in h1s:
        if not h.xpath('ancestor::*[self::header or contains(@class, "logo") or contains(@id, "logo")]'):
            return h
    return h1s[0]


def _strip_site_suffix(title: str, known: list[str]) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) <= 1:
        return title.strip()
    for cand in known:
        if cand and cand in title:
            return cand
    return max(parts, key=len).strip()


def extract_title(page: Page, prefixes: tuple[str, ...] = ()) -> tuple[str | None, str | None, str | None]:
    """(clean title, raw headline, removed spam prefix)."""
    art = _jsonld_article(page)
    headline = art.get("headline") or art.get("name")
    headline = squash(headline) if isinstance(headline, str) else None
    og = squash(page.meta.get("og:title") or page.meta.get("twitter:title")) or None
    h1 = _h1(page)
    h1_text = element_text(h1) if h1 is not None else None
    doc_title = squash(" ".join(page.tree.xpath("//head/title//text()"))) or None
    raw = h1_text or headline or og or (_strip_site_suffix(doc_title, []) if doc_title else None)
    if raw and doc_title and raw not in doc_title and not h1_text:
        raw = _strip_site_suffix(doc_title, [c for c in (headline, og) if c])
    if not raw:
        return None, None, None
    title, prefix = strip_spam_prefix(raw, page, [c for c in (headline, og) if c], prefixes)
    return title, raw, prefix


def strip_spam_prefix(raw: str, page: Page, other_titles: list[str], prefixes: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """Remove an injected prefix only on evidence: a profile rule, another title source without
    it, or the same prefix stamping two or more other titles linked from the page."""
    match = _PREFIX.match(raw)
    if not match:
        return raw, None
    prefix = next(g for g in match.groups() if g).strip()
    rest = raw[match.end():].strip()
    if len(rest) < 4:
        return raw, None
    if prefix in prefixes or (not match.group(3) and prefix.lower() in _BRACKET_MARKERS):
        return rest, prefix
    if prefix.lower() in _LEGIT_PREFIXES:
        return raw, None
    if any(squash(o) == rest for o in other_titles):
        return rest, prefix
    stamped = 0
    marker = raw[: match.end()].strip()
    for text in page.tree.xpath("//body//a//text()"):
        text = text.strip()
        if text.startswith(marker) and text != raw and len(text) > len(marker) + 3:
            stamped += 1
            if stamped >= 2:
                return rest, prefix
    return raw, None


# --- dates -----------------------------------------------------------------------------------

_PUBLISHED_META = ("article:published_time", "og:published_time", "og:article:published_time", "published_time",
                   "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
                   "sailthru.date", "parsely-pub-date", "dc.date.issued", "dcterms.created", "dc.date",
                   "article:published", "date", "weibo:article:create_at", "bytedance:published_time")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                  "last-modified", "article:modified")
_DATE_LABEL = re.compile(r"(发布时间|發佈時間|发布日期|发表时间|發表時間|发表于|发布于|更新时间|时间|時間|日期|published|posted|updated|date)\s*[:：]?", re.I)


def header_texts(page: Page, limit: int = 40) -> list[str]:
    """Short text pieces right after the headline in document order, up to the body's start:
    where the meta line (date, 来源, 作者, counts) of an article lives."""
    h1 = _h1(page)
    if h1 is None:
        return []
    out: list[str] = []
    started = False
    for node in page.tree.iter():
        if node is h1:
            started = True
            if h1.tail and h1.tail.strip():
                out.append(h1.tail.strip())
            continue
        if not started or not isinstance(node.tag, str) or node.tag in ("script", "style"):
            continue
        if h1 in node.iterancestors():
            continue
        for text in (node.text, node.tail):
            text = (text or "").strip()
            if not text:
                continue
            if len(text) > 160:
                return out
            out.append(text)
        if len(out) >= limit:
            break
    return out


def extract_dates(page: Page, tz: tzinfo, now: datetime) -> tuple[str | None, str | None]:
    """(published_at, modified_at) as ISO 8601 with offset."""
    art = _jsonld_article(page)
    published = parse_date(art.get("datePublished") if isinstance(art.get("datePublished"), str) else None, tz, now)
    modified = parse_date(art.get("dateModified") if isinstance(art.get("dateModified"), str) else None, tz, now)
    if published is None:
        for key in _PUBLISHED_META:
            if key in page.meta and (published := parse_date(page.meta[key], tz, now)):
                break
    if published is None:
        for el in page.tree.xpath('//*[@itemprop="datePublished"]'):
            if (published := parse_date(el.get("content") or el.get("datetime") or element_text(el), tz, now)):
                break
    if published is None:
        for el in page.tree.xpath("//body//time"):
            if _in_comments(el):
                continue
            if (published := parse_date(el.get("datetime") or element_text(el), tz, now)):
                break
    if published is None:
        published = _date_near_headline(page, tz, now)
    if modified is None:
        for key in _MODIFIED_META:
            if key in page.meta and (modified := parse_date(page.meta[key], tz, now)):
                break
    return iso(published), iso(modified)


def _date_near_headline(page: Page, tz: tzinfo, now: datetime) -> datetime | None:
    texts = header_texts(page)
    labelled = [t for t in texts if _DATE_LABEL.search(t)]
    for text in labelled + texts:
        value = parse_date(_DATE_LABEL.sub(" ", text), tz, now)
        if value:
            return value
    # No headline or nothing near it: labelled dates anywhere outside comments, scripts and styles.
    for node in page.tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        text = str(node)
        if _DATE_LABEL.search(text) and NUMERIC.search(text) and not _in_comments(node.getparent()):
            value = parse_date(text, tz, now)
            if value:
                return value
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


def _split_people(text: str) -> list[str]:
    text = _BYLINE_PREFIX.sub("", squash(text))
    text = re.split(r"\s*(?:\||丨|/|,?\s+(?:for|in|at)\s+[A-Z]|\d{4}[-年])", text)[0]
    parts = re.split(r"\s*(?:,|，|、|;|；|\band\b|&|\s{2,})\s*", text)
    return [p.strip(" .:：") for p in parts if 1 < len(p.strip(" .:：")) <= 40]


def extract_authors(page: Page) -> list[str]:
    """Bylines: JSON-LD author, meta author, byline markup, 作者/记者 labels (never editors)."""
    found: list[str] = []
    art = _jsonld_article(page)
    found += [squash(n) for n in _names(art.get("author"))]
    if not found:
        for key in ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"):
            value = page.meta.get(key)
            if value and not value.startswith("http"):
                found += _split_people(value)
                break
    if not found:
        for el in page.tree.xpath(
            '//body//*[@rel="author" or @itemprop="author" or contains(@class, "byline") or contains(@class, "author-name")'
            ' or @class="author" or contains(@class, "post-author") or contains(@class, "article-author")]'
        ):
            if _in_comments(el):
                continue
            text = element_text(el)
            if text and len(text) < 80 and not _EDITOR.search(text):
                found += _split_people(_AUTHOR_LABEL.sub(lambda m: m.group(1), text))
                break
    if not found:
        for text in header_texts(page):
            text = _EDITOR.split(text)[0]
            match = _AUTHOR_LABEL.search(text)
            if match:
                found += _split_people(match.group(1))
                break
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


def extract_source(page: Page, body_blocks: list[str]) -> Source | None:
    """Original publisher: a 本文来自… line (usually last in the body), a 来源 label near the
    headline, else the JSON-LD publisher."""
    for block in reversed(body_blocks[-5:]):
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    for block in body_blocks[:2]:
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    for text in header_texts(page):
        match = _SOURCE_LABEL.search(text)
        if match:
            name = re.split(r"\s*(?:作者|编辑|责任编辑|记者|发布|时间|阅读|\d{4}[-年])", match.group(1))[0].strip()
            if name:
                return Source(name=name, line=squash(text))
    art = _jsonld_article(page)
    publisher = _names(art.get("publisher"))
    if publisher:
        return Source(name=squash(publisher[0]))
    return None


# --- tags and counts -------------------------------------------------------------------------

def extract_tags(page: Page) -> list[str]:
    """Article tags: article:tag meta, visible tag links, else JSON-LD keywords (not meta keywords, often SEO spam)."""
    tags = [v for k, v in ((el.get("property") or el.get("name"), el.get("content")) for el in page.tree.iter("meta"))
            if k and k.lower() == "article:tag" and v]
    if not tags:
        links = page.tree.xpath(
            '//body//a[contains(concat(" ", normalize-space(@rel), " "), " tag ")'
            ' and not(contains(concat(" ", normalize-space(@rel), " "), " category "))]'
            ' | //body//*[contains(@class, "tag") and not(contains(@class, "stage"))]//a[not(ancestor::nav)]'
        )
        tags = [element_text(a) for a in links if not _in_comments(a)]
    if not tags:
        keywords = _jsonld_article(page).get("keywords")
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


def extract_counts(page: Page) -> tuple[int | None, int | None]:
    """(comment_count, view_count) where the page shows them near the headline."""
    comments = views = None
    for el in page.tree.xpath('//body//*[@title or @class or @href]'):
        hint = f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}'
        if not re.search(r"评论|評論|comment|pinglun|#comments|阅读|浏览|views?\b", hint, re.I):
            continue
        text = element_text(el)
        if not re.fullmatch(r"\d[\d,]*", text or ""):
            continue
        if comments is None and re.search(r"评论|評論|comment|pinglun", hint, re.I):
            comments = _number(text)
        elif views is None and re.search(r"阅读|浏览|views?", hint, re.I):
            views = _number(text)
    joined = " ".join(header_texts(page))
    if comments is None and (match := _COMMENT_COUNT.search(joined)):
        comments = _number(match.group(1) or match.group(2))
    if views is None and (match := _VIEW_COUNT.search(joined)):
        views = _number(match.group(1) or match.group(2))
    return comments, views
