"""The article's JSON-LD object, its visible headline element and its title.

A page declares its headline several times: the JSON-LD ``headline``, ``og:title``,
``twitter:title``, the visible ``<h1>`` and ``<title>``. They often differ in decoration
only (a site or section suffix, a kicker, entities); when they differ in wording, the
JSON-LD headline is the one the publisher wrote for machines and is taken first, as long
as it is plausible (not the site name, sharing a word with another source). Decorations
are removed only on evidence: another source equal to the rest, or a suffix naming the
site, the section the ``<title>`` also names, or a date.
"""

from __future__ import annotations

import html
import re
from typing import Any

from crawler.parsing.dates import NUMERIC
from crawler.parsing.page import Page, element_text, jsonld_types, search_ignorecase, squash, xpath

ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "WebPage", "TechArticle", "LiveBlogPosting", "Report")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|–|—|-{1,2}|::|·|/)\s*")
# A site or section suffix is set off by spaced dashes and bars, or unspaced by the CJK
# separators (_, ｜, ㅣ, the fullwidth colon of Japanese sites): an unspaced hyphen or slash
# belongs to a word ("Gaetz-Rückzug", "24/7").
_DECORATION_SEPARATORS = re.compile(r"\s+(?:\||-{1,2}|–|—|::|·|•|›|»|:)\s+|\s*(?:[|｜ㅣ丨]|_{1,2})\s*"
                                    r"|(?<=\S)[：](?=\S)")
_DATEISH = re.compile(r"[\d\s.,:/-]*\d[\d\s.,:/-]*(?:uhr|h|am|pm|utc|gmt)?", re.I)
_PREFIX = re.compile(r"^\s*(?:【([^】]{1,15})】|\[([^\]]{1,15})\]|([^:：|丨]{1,12})\s*[:：|丨])\s*(?=\S)")
_LEGIT_PREFIXES = {"opinion", "analysis", "review", "live", "breaking", "exclusive", "update", "updated",
                   "watch", "video", "photos", "interview", "editorial", "explainer", "podcast", "视频", "快讯",
                   "独家", "图集", "专访", "评论", "社论", "原创", "直播", "深度", "重磅", "热点"}
# Bracketed editorial stamps (【转载】 "reposted", [原创] "original") are labels, not headline text.
_BRACKET_MARKERS = {"转载", "轉載", "转", "轉", "原创", "原創", "推荐", "推薦", "荐", "置顶", "置頂", "热", "熱",
                    "图文", "圖文", "视频", "視頻", "组图", "組圖", "独家", "獨家", "快讯", "快訊", "repost",
                    "reposted", "update", "updated"}
# (Tailwind's ``overflow-hidden`` clips an element's overflow: the element itself shows)
_HIDDEN_CLASS = re.compile(r"(?:^|[\s_-])(?<!overflow-)(?<!overflow-[xy]-)"
                           r"(?:hidden|hide|d-none|sr-only|visually-?hidden|screen-reader(?:-text)?|"
                           r"offscreen|is_blind|blind|a11y-hidden|u-hidden|invisible)(?=$|\s)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ROOT_HREF = re.compile(r"(?:https?://[^/]+)?/?(?:\./?)?(?:index\.\w{2,5})?", re.I)
_LOGOISH = re.compile(r"logo|brand|masthead|site-?name|site-?title", re.I)
_KICKER_CLASS = re.compile(r"kicker|topline|overline|dachzeile|roofline|eyebrow|supertitle|spitzmarke", re.I)
_META_LINE = re.compile(r"发布时间|發佈時間|发布日期|发表时间|来源[:：]|來源[:：]|作者[:：]|责任编辑|責任編輯|"
                        r"编辑[:：]|点击[:：]|浏览[:：]|阅读[:：]")
_BLOCK_TAGS = frozenset(("div", "p", "br", "header", "section", "li", "ul", "ol", "h2", "h3", "h4", "h5", "h6",
                         "figure", "table", "tr", "td", "blockquote", "picture"))
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "button", "svg", "picture", "img", "figure"))
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")  # a URL slug filled in as a headline
_ELLIPSIS = ("…", "...", "⋯")
_WORD = re.compile(r"\w{3,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


# --- JSON-LD ---------------------------------------------------------------------------------

def jsonld_objects(page: Page) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, including those nested as ``mainEntity`` or
    ``mainEntityOfPage`` of another (page.jsonld already flattens arrays and ``@graph``).
    Computed once per page."""
    cached = page.__dict__.get("_jsonld_all")
    if cached is not None:
        return cached
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = list(page.jsonld)
    while stack:
        obj = stack.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append(obj)
        for key in ("mainEntity", "mainEntityOfPage", "@graph"):
            value = obj.get(key)
            for sub in value if isinstance(value, list) else [value]:
                if isinstance(sub, dict) and sub.get("@type"):
                    stack.append(sub)
    page.__dict__["_jsonld_all"] = out
    return out


def _same_url(a: Any, b: str) -> bool:
    if isinstance(a, dict):
        a = a.get("@id") or a.get("url")
    if not isinstance(a, str) or not a or not b:
        return False
    strip = re.compile(r"^https?://(?:www\.)?|[?#].*$|/$")
    return strip.sub("", a.strip()) == strip.sub("", b.strip())


def jsonld_article(page: Page) -> dict[str, Any]:
    """The JSON-LD object describing this article: of the article-typed objects, one whose
    url / @id / mainEntityOfPage is the page's own URL, else the first that is more than a
    plain WebPage, else the first. A page listing related articles in JSON-LD names other
    pages' headlines too; the URL tells which one is this page. Computed once per page."""
    cached = page.__dict__.get("_jsonld_article")
    if cached is not None:
        return cached
    wanted = set(ARTICLE_TYPES)
    found = [obj for obj in jsonld_objects(page) if jsonld_types(obj) & wanted]
    chosen: dict[str, Any] = {}
    articles = [obj for obj in found if jsonld_types(obj) != {"WebPage"}]
    if len(articles) > 1:
        urls = [page.url, page.meta.get("og:url", "")]
        chosen = next((obj for obj in articles for key in ("url", "@id", "mainEntityOfPage")
                       if any(_same_url(obj.get(key), u) for u in urls if u)), {})
    if not chosen:
        chosen = articles[0] if articles else found[0] if found else {}
    page.__dict__["_jsonld_article"] = chosen
    return chosen


def _text_of(value: Any) -> str | None:
    """A JSON-LD text value (a string, or the first string of a list), entities decoded."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    text = squash(html.unescape(value))
    return text or None


# --- the headline element --------------------------------------------------------------------

_HEADING_XPATH = ('//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5'
                  ' or contains(@class, "title") or contains(@class, "Title") or contains(@id, "title")'
                  ' or contains(@class, "headline")]')


def _doc_title(page: Page) -> str:
    return page.doc_title


def _h1(page: Page) -> Any:
    """The headline element, cached on the page: see ``_find_headline``."""
    cached = page.__dict__.get("_headline_el", False)
    if cached is not False:
        return cached
    found = _find_headline(page)
    page.__dict__["_headline_el"] = found
    return found


def _is_hidden(el: Any) -> bool:
    """Hidden from readers by its own markup or an ancestor's (hidden attribute, aria-hidden,
    display:none, screen-reader-only classes): a ``<h1 class="blind">기사 상세</h1>`` for
    screen readers names the page type, not the article."""
    node = el
    while node is not None and node.tag not in ("body", "html"):
        if node.get("hidden") is not None or node.get("aria-hidden") == "true":
            return True
        cls = node.get("class")
        if cls and search_ignorecase(_HIDDEN_CLASS, cls):
            return True
        style = node.get("style")
        if style and _HIDDEN_STYLE.search(style):
            return True
        node = node.getparent()
    return False


def _in_site_chrome(el: Any) -> bool:
    """Inside a logo, or inside a page-level ``<header>``/``<nav>`` (one not within the
    article or main content): a site's own name set as h1. An article's own ``<header>``
    holds its headline."""
    node = el.getparent()
    chrome = False
    while node is not None and node.tag not in ("body", "html"):
        marker = f'{node.get("class", "")} {node.get("id", "")}'
        if node.tag in ("article", "main") or node.get("role") == "main":
            return False
        if node.tag in ("header", "nav") or (marker.strip() and _LOGOISH.search(marker)):
            chrome = True
        node = node.getparent()
    if chrome:
        return True
    marker = f'{el.get("class", "")} {el.get("id", "")}'
    return bool(marker.strip() and _LOGOISH.search(marker)) or _links_home(el)


def _links_home(el: Any) -> bool:
    """An h1 that is one link to the site's root ("/", "./", "index.html"): the blog's name
    above every page, as older templates set it, not this page's headline."""
    links = [a for a in el.iter("a") if a.get("href") is not None]
    if len(links) != 1 or squash(links[0].text_content()) != squash(el.text_content()):
        return False
    return _ROOT_HREF.fullmatch(links[0].get("href", "").strip()) is not None


def _likeness(text: str, declared: list[str]) -> float:
    """How well a heading's text matches the best of the declared titles: 1 when equal,
    else the share of the longer that the shorter covers when one contains the other, else
    the share of the heading's words found in it (a reworded og:title still shares most)."""
    low = text.lower()
    best = 0.0
    words = set(_WORD.findall(low)) or set(_CJK.findall(low))
    for title in declared:
        if low == title:
            return 1.0
        if low in title or title in low:
            best = max(best, min(len(low), len(title)) / max(len(low), len(title)))
        elif words:
            other = set(_WORD.findall(title)) or set(_CJK.findall(title))
            best = max(best, 0.8 * len(words & other) / len(words | other))
    return best


def _find_headline(page: Page) -> Any:
    """The visible headline element. Of the visible h1s outside the site chrome, the one
    most like a declared title (JSON-LD headline, og/twitter title, ``<title>``); a page's
    other h1s are teaser boxes, the logo or screen-reader labels. With no h1 like a
    declared title: the first such h1, else the heading-like element (h2-h5, *title*
    classes) whose text a declared title repeats, else the heading nearest above a date
    line (a CMS whose ``<title>`` is only the section name)."""
    doc_title = _doc_title(page).lower()
    declared = [t.lower() for t in (doc_title, *_declared_sources(page).values()) if t]
    h1s = [h for h in xpath(page.tree, "//body//h1") if element_text(h) and not _is_hidden(h)]
    open_h1s = [h for h in h1s if not _in_site_chrome(h)]
    best, best_score = None, 0.3
    for h in open_h1s or h1s:
        score = _likeness(headline_text(h), declared)
        if score > best_score + 0.05:  # the first of near-equals: the body's own comes first
            best, best_score = h, score
    if best is not None:
        return best
    if open_h1s:
        return open_h1s[0]
    candidates = []
    for el in xpath(page.tree, _HEADING_XPATH):
        if el.tag in ("html", "body", "head", "title", "meta") or xpath(el, "ancestor::a") or el.tag == "a":
            continue
        text = element_text(el)
        if 4 <= len(text) <= 120:
            candidates.append((el, text))
    # The site name in the <title> suffix ("新闻动态--中国地理学会官网") is no headline.
    suffix = [p for p in _TITLE_SEPARATORS.split(doc_title) if p]
    site_part = suffix[-1] if len(suffix) > 1 else ""
    best, best_len = None, 0
    for el, text in candidates:
        low = text.lower()
        if site_part and low in site_part:
            continue
        if any(low in t for t in declared) and len(text) > best_len and not _is_hidden(el):
            best, best_len = el, len(text)
    if best is not None:
        return best
    near_date = _heading_above_date(page, candidates)
    if near_date is not None:
        return near_date
    return h1s[0] if h1s else None


def _heading_above_date(page: Page, candidates: list[tuple[Any, str]]) -> Any:
    """Of the headings, the one followed most closely (within 3 text pieces) by a date. When
    two headings of the same markup are both followed by dates the page is a list of teasers,
    and no heading is the headline."""
    best, best_gap = None, 4
    dated: dict[tuple[str, str], int] = {}
    for el, text in candidates[:40]:
        if len(text) < 6:
            continue
        gap = 0
        for piece in _texts_after(page, el, 3):
            gap += 1
            if NUMERIC.search(piece):
                key = (el.tag, el.get("class", ""))
                dated[key] = dated.get(key, 0) + 1
                if gap <= best_gap:
                    best, best_gap = el, gap
                break
    if best is None or dated.get((best.tag, best.get("class", "")), 0) > 1:
        return None
    return best


def _texts_after(page: Page, start: Any, limit: int) -> list[str]:
    """Up to ``limit`` non-empty text pieces that follow ``start`` in document order."""
    out: list[str] = []
    if start.tail and start.tail.strip():
        out.append(start.tail.strip())
    node = start
    while node is not None and len(out) < limit:
        nxt = node.getnext()
        while nxt is None and node is not None:
            node = node.getparent()
            if node is None:
                return out
            if node.tail and node.tail.strip():
                out.append(node.tail.strip())
            nxt = node.getnext()
        node = nxt
        if node is None or not isinstance(node.tag, str):
            continue
        if node.tag in ("script", "style"):
            if node.tail and node.tail.strip():
                out.append(node.tail.strip())
            continue
        for sub in node.iter():
            if not isinstance(sub.tag, str) or sub.tag in ("script", "style"):
                continue
            if sub.text and sub.text.strip():
                out.append(sub.text.strip())
            if sub is not node and sub.tail and sub.tail.strip():
                out.append(sub.tail.strip())
            if len(out) >= limit:
                break
        if node.tail and node.tail.strip():
            out.append(node.tail.strip())
    return out[:limit]


def headline_meta_parts(el: Any) -> list[Any]:
    """Children of a headline element that hold the article's meta line rather than its
    headline: PHPCMS-style templates put ``<span>发布时间… 来源… 作者…</span>`` inside the h1."""
    out = []
    for child in el.iterdescendants():
        if not isinstance(child.tag, str) or child.tag in _SKIP_TAGS:
            continue
        text = element_text(child)
        if text and _META_LINE.search(text) and len(text) < 200:
            out.append(child)
    return [c for c in out if not any(o is not c and c in o.iterdescendants() for o in out)]


def headline_text(el: Any) -> str:
    """The text of a headline element as a reader sees it. Pieces of inline markup are
    joined as written (``<span>Kicker</span><span>: </span><span>Headline</span>`` reads
    "Kicker: Headline", not "Kicker : Headline"); a block boundary is a space, except
    before punctuation; a kicker element with no separator of its own is followed by ": "
    (its line break shows the break). Hidden parts keep their text when it is punctuation
    (a visually-hidden ":" for screen readers), other hidden parts, scripts, pictures and
    an embedded meta line (see ``headline_meta_parts``) are left out."""
    meta = headline_meta_parts(el)
    pieces: list[str] = []

    def walk(node: Any, top: bool) -> None:
        skip = False
        if not top:
            if node.tag in _SKIP_TAGS or any(node is m for m in meta):
                skip = True
            elif _is_hidden_self(node):
                hidden = squash(node.text_content())
                skip = bool(hidden) and not re.fullmatch(r"[\s:：.,;–—-]+", hidden)
        if not skip:
            block = node.tag in _BLOCK_TAGS and not top
            if block:
                pieces.append("\x00")
            if node.text:
                pieces.append(node.text)
            for child in node:
                if isinstance(child.tag, str):
                    walk(child, False)
                elif child.tail:
                    pieces.append(child.tail)
            if block:
                pieces.append("\x00")
            cls = node.get("class")
            if not top and cls and _KICKER_CLASS.search(cls):
                pieces.append("\x01")
        if not top and node.tail:
            pieces.append(node.tail)

    walk(el, True)
    text = "".join(pieces)
    # a kicker mark followed by no separator of its own becomes ": "
    text = re.sub(r"\x01([\s\x00]*)(?![\s\x00]*[:：.!?–—-])(?=[\s\x00]*\S)", r": \1", text)
    text = text.replace("\x01", "")
    text = re.sub(r"[\s\x00]*\x00[\s\x00]*(?=[:：,.;!?])", "", text)
    text = squash(text.replace("\x00", " "))
    # a kicker's colon in its own element, the headline's element right after it: "Kicker:Headline"
    return re.sub(r"(?<=[a-zA-Zß-ÿ]):(?=[A-ZÀ-Þ][a-zß-ÿ])", ": ", text)


def _is_hidden_self(node: Any) -> bool:
    if node.get("hidden") is not None or node.get("aria-hidden") == "true":
        return True
    cls = node.get("class")
    if cls and search_ignorecase(_HIDDEN_CLASS, cls):
        return True
    style = node.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


# --- the title -------------------------------------------------------------------------------

def _declared_sources(page: Page) -> dict[str, str]:
    """The headlines the page declares for machines: JSON-LD headline, og:title,
    twitter:title (entities decoded, white space collapsed), computed once per page."""
    cached = page.__dict__.get("_declared_titles")
    if cached is not None:
        return cached
    art = jsonld_article(page)
    named = _text_of(art.get("name")) if jsonld_types(art) - {"WebPage"} else None
    found = {"jsonld": _text_of(art.get("headline")) or named,
             "og": _text_of(page.meta.get("og:title")), "twitter": _text_of(page.meta.get("twitter:title"))}
    out = {k: v for k, v in found.items() if v}
    page.__dict__["_declared_titles"] = out
    return out


def _site_keys(page: Page) -> list[str]:
    """Loose forms of the names the site goes by: og:site_name, application-name, the
    JSON-LD publisher, the host's labels (``news.orf.at`` -> ``newsorfat``, ``orf``).
    Computed once per page."""
    cached = page.__dict__.get("_site_keys")
    if cached is not None:
        return cached
    # a CMS that fills application-name or twitter:site with the headline names no site
    titles = {_loose(t) for t in (page.doc_title, *_declared_sources(page).values())}
    weak = [page.meta.get("application-name", ""), page.meta.get("twitter:site", "").lstrip("@")]
    names = [page.meta.get("og:site_name", ""), *(n for n in weak if _loose(n) not in titles)]
    publisher = jsonld_article(page).get("publisher")
    for pub in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            names.append(pub["name"])
    host = page.host.removeprefix("www.")
    names.append(host)
    labels = host.split(".")
    names += [label for label in labels[:-1] if len(label) >= 3 and label not in ("www", "com", "news", "co")]
    keys = list(dict.fromkeys(k for k in (_loose(n) for n in names) if 2 <= len(k) <= 40))
    page.__dict__["_site_keys"] = keys
    return keys


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site_part(part: str, site_keys: list[str]) -> bool:
    """A title part that names the site or its section, or is a date."""
    key = _loose(part)
    if not key:
        return True
    if NUMERIC.fullmatch(part.strip()) or _DATEISH.fullmatch(part.strip()):
        return True
    return any(key == s or (len(s) >= 3 and s in key and len(key) <= len(s) + 12)
               or (len(key) >= 3 and key in s) for s in site_keys)


def _undecorate(text: str, others: list[str], site_keys: list[str]) -> str:
    """``text`` without a site or section suffix: the longest leading part that another
    source repeats when what it leaves out is short (a section, a site name), else the
    text without trailing parts that name the site or a date."""
    parts = _DECORATION_SEPARATORS.split(text)
    if len(parts) <= 1:
        return text
    loose_others = {_loose(o) for o in others if o}
    seps = [m.group(0) for m in _DECORATION_SEPARATORS.finditer(text)]
    for k in range(len(parts) - 1, 0, -1):
        head = "".join(p + s for p, s in zip(parts[:k], seps[:k], strict=False))[: -len(seps[k - 1])]
        if _loose(head) in loose_others and len(_loose(head)) >= 4 and len(text) - len(head) <= 30:
            return head.strip()
    k = len(parts)
    while k > 1 and _is_site_part(parts[k - 1], site_keys):
        k -= 1
    if k == len(parts):
        return text
    head = "".join(p + s for p, s in zip(parts[:k], seps[:k], strict=False))[: -len(seps[k - 1])]
    return head.strip() if len(_loose(head)) >= 4 else text


def _plausible(text: str, others: list[str], site_keys: list[str]) -> bool:
    """Not the site's name, and sharing a word (or for CJK text a character pair) with
    another source when there are two or more (not counting a logo h1 with the site's
    name): a template's fixed headline shares none."""
    key = _loose(text)
    if len(key) < 2 or key in site_keys or _SLUG.fullmatch(text):
        return False
    others = [o for o in others if o and o != text and not _is_site_part(o, site_keys)]
    if len(others) < 2:
        return True
    low = text.lower()
    words = set(_WORD.findall(low)) | {low[i:i + 2] for i in range(len(low) - 1) if _CJK.match(low[i])}
    for other in others:
        olow = other.lower()
        if words & (set(_WORD.findall(olow)) | {olow[i:i + 2] for i in range(len(olow) - 1) if _CJK.match(olow[i])}):
            return True
    return False


def _complete(title: str, others: list[str]) -> str:
    """A title cut with an ellipsis, or cut inside a word (a meta content ended by an
    unescaped quote: ``content="写"救命啊"纸团"``), gives way to a source that continues it."""
    for other in others:
        if len(other) > len(title) and other.startswith(title) and (other[len(title)].isalnum()
                                                                    or other[len(title)] in "\"“”「」'‘’"):
            return other
    stem = title
    for mark in _ELLIPSIS:
        if stem.endswith(mark):
            stem = stem[: -len(mark)].rstrip()
            break
    else:
        return title
    for other in others:
        if len(other) > len(stem) + 1 and other.startswith(stem) and not other.endswith(_ELLIPSIS):
            return other
    return title


def _strip_site_suffix(title: str, known: list[str]) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) <= 1:
        return title.strip()
    for cand in known:
        if cand and cand in title:
            return cand
    return max(parts, key=len).strip()


def title_candidates(page: Page) -> dict[str, str]:
    """The page's headline sources, each without decoration: ``jsonld``, ``og``,
    ``twitter``, ``h1`` (the visible headline element's text) and ``title``."""
    declared = dict(_declared_sources(page))
    h1 = _h1(page)
    h1_text = headline_text(h1) if h1 is not None else ""
    doc_title = squash(html.unescape(_doc_title(page)))
    site_keys = _site_keys(page)
    raw = {**declared, "h1": h1_text, "title": doc_title}
    out: dict[str, str] = {}
    for key, text in raw.items():
        if not text:
            continue
        others = [v for k, v in raw.items() if k != key and v]
        out[key] = _undecorate(text, others, site_keys) if key != "h1" else text
    return out


def _prime_header_texts(page: Page) -> None:
    """A headline element that holds the meta line (``<h1>Title<span>发布时间… 来源… 作者…
    </span></h1>``) gives that line to dates, source and authors: they read the text
    pieces after the headline (``metadata.header_texts``, cached on the page), which
    would begin after the h1 and miss it, so the cache starts with the meta line's pieces."""
    h1 = _h1(page)
    if h1 is None or "_header_texts" in page.__dict__:
        return
    meta = headline_meta_parts(h1)
    if not meta:
        return
    from crawler.parsing.metadata import header_texts  # here: metadata imports this module

    pieces = [squash(t) for part in meta for t in part.itertext() if t.strip()]
    page.__dict__["_header_texts"] = pieces + header_texts(page)


def extract_title(page: Page, prefixes: tuple[str, ...] = ()) -> tuple[str | None, str | None, str | None]:
    """(clean title, raw headline, removed spam prefix).

    The JSON-LD headline, og:title, twitter:title, the visible headline, then the
    ``<title>``: the first that is plausible, without its decoration, completed when cut
    with an ellipsis. The declared headlines come before the visible one: publishers
    write them for this page, while a page's h1 may be a live blog's latest entry, a
    teaser box or a shortened display line."""
    cands = title_candidates(page)
    _prime_header_texts(page)
    site_keys = _site_keys(page)
    values = list(cands.values())
    raw, chosen = None, "title"
    for key in ("jsonld", "og", "twitter", "h1"):
        text = cands.get(key)
        others = [v for k, v in cands.items() if k != key] if key != "h1" else []  # the visible one stands alone
        if text and _plausible(text, others, site_keys):
            raw, chosen = text, key
            break
    if raw is None and cands.get("title"):
        doc_title = cands["title"]
        raw = doc_title if doc_title != squash(_doc_title(page)) else _strip_site_suffix(doc_title, [])
    if not raw:
        return None, None, None
    raw = _complete(raw, values).rstrip(" -|–—·•")  # a separator left dangling by the CMS
    if not raw:
        return None, None, None
    others = [v for k, v in cands.items() if k != chosen]
    title, prefix = strip_spam_prefix(raw, page, others, prefixes)
    if prefix is None:
        # a clean declared title chosen while the visible headline carries an injected prefix
        # ("老虎機:" on the h1 and <title> only): the page's headline is that one, less its prefix
        for key in ("h1", "title"):
            shown = cands.get(key)
            if shown and shown != raw and shown.endswith(raw):
                stripped, found = strip_spam_prefix(shown, page, [v for k, v in cands.items() if k != key], prefixes)
                if found and stripped == raw:
                    return raw, shown, found
    return title, raw, prefix


def strip_spam_prefix(raw: str, page: Page, other_titles: list[str],
                      prefixes: tuple[str, ...] = ()) -> tuple[str, str | None]:
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
    marker = raw[: match.end()].strip()
    without = sum(squash(o) == rest for o in other_titles)
    carrying = sum(squash(o).startswith(marker) for o in other_titles)
    if without > carrying:  # a kicker every source carries is the headline's own
        return rest, prefix
    stamped = 0
    for text in page.link_texts:
        text = text.strip()
        if text.startswith(marker) and text != raw and len(text) > len(marker) + 3:
            stamped += 1
            if stamped >= 2:
                return rest, prefix
    return raw, None
