"""The headline as the page declares and shows it: the declared headlines (JSON-LD,
og:title, twitter:title), the visible headline element, and its text as a reader sees it.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.parsing.boilerplate import HIDDEN_STYLE
from crawler.parsing.dates import NUMERIC, parse_stamp
from crawler.parsing.jsonld import PLAIN_PAGE, jsonld_article, text_of
from crawler.parsing.page import Page, element_text, jsonld_types, per_page, search_ignorecase, squash, xpath
from crawler.parsing.sources import attempt

TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|–|—|-{1,2}|::|·|/)\s*")
_HIDDEN_CLASS = re.compile(r"(?:^|[\s_-])(?<!overflow-)(?<!overflow-[xy]-)"
                           r"(?:hidden|hide|d-none|sr-only|visually-?hidden|screen-reader(?:-text)?|"
                           r"offscreen|is_blind|blind|a11y-hidden|u-hidden|invisible)(?=$|\s)", re.I)
_ROOT_HREF = re.compile(r"(?:https?://[^/]+)?/?(?:\./?)?(?:index\.\w{2,5})?", re.I)
_LOGOISH = re.compile(r"logo|brand|masthead|site-?name|site-?title", re.I)
_KICKER_CLASS = re.compile(r"kicker|topline|overline|dachzeile|roofline|eyebrow|supertitle|spitzmarke", re.I)
_META_LINE = re.compile(r"发布时间|發佈時間|发布日期|发表时间|来源[:：]|來源[:：]|作者[:：]|责任编辑|責任編輯|"
                        r"编辑[:：]|点击[:：]|浏览[:：]|阅读[:：]")
_BLOCK_TAGS = frozenset(("div", "p", "br", "header", "section", "li", "ul", "ol", "h2", "h3", "h4", "h5", "h6",
                         "figure", "table", "tr", "td", "blockquote", "picture"))
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "button", "svg", "picture", "img", "figure"))
WORD = re.compile(r"\w{3,}")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@per_page
def declared_titles(page: Page) -> dict[str, str]:
    """The headlines the page declares for machines: JSON-LD headline, og:title,
    twitter:title (entities decoded, white space collapsed), computed once per page."""
    art = jsonld_article(page)
    named = text_of(art.get("name")) if jsonld_types(art) - {PLAIN_PAGE} else None
    found = {"jsonld": text_of(art.get("headline")) or named,
             "og": text_of(page.meta.get("og:title")), "twitter": text_of(page.meta.get("twitter:title"))}
    return {k: v for k, v in found.items() if v}


_HEADING_XPATH = ('//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5'
                  ' or contains(@class, "title") or contains(@class, "Title") or contains(@id, "title")'
                  ' or contains(@class, "headline")]')



@per_page
def headline_element(page: Page) -> Any:
    """The headline element, computed once per page: see ``_find_headline`` (None, logged,
    when that fails)."""
    return attempt(_find_headline, page)


def _is_hidden(el: Any) -> bool:
    """Hidden from readers by its own markup or an ancestor's (hidden attribute, aria-hidden,
    display:none, screen-reader-only classes): a ``<h1 class="blind">기사 상세</h1>`` for
    screen readers names the page type, not the article."""
    node = el
    while node is not None and node.tag not in ("body", "html"):
        if _is_hidden_self(node):
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
    words = set(WORD.findall(low)) or set(CJK.findall(low))
    for title in declared:
        if low == title:
            return 1.0
        if low in title or title in low:
            best = max(best, min(len(low), len(title)) / max(len(low), len(title)))
        elif words:
            other = set(WORD.findall(title)) or set(CJK.findall(title))
            best = max(best, 0.8 * len(words & other) / len(words | other))
    return best


def _find_headline(page: Page) -> Any:
    """The visible headline element. Of the visible h1s outside the site chrome, the one
    most like a declared title (JSON-LD headline, og/twitter title, ``<title>``); a page's
    other h1s are teaser boxes, the logo or screen-reader labels. With no h1 like a
    declared title: the first such h1, else the heading-like element (h2-h5, *title*
    classes) whose text a declared title repeats, else the heading nearest above a date
    line (a CMS whose ``<title>`` is only the section name)."""
    doc_title = page.doc_title.lower()
    for_machines = declared_titles(page)
    declared = [t.lower() for t in (doc_title, *for_machines.values()) if t]
    h1s = [h for h in xpath(page.tree, "//body//h1") if element_text(h) and not _is_hidden(h)]
    open_h1s = [h for h in h1s if not _in_site_chrome(h)]
    if h1s and not open_h1s and not for_machines:
        # Every h1 is the site's own name (a logo, a link home, the page header) and no
        # headline is declared for machines: an older blog template, whose post title is a
        # lower heading with the post's date line ("Posted by X on March 14, 2009") under it.
        # Worded dates count here only: counted for every page, they cost a dates-dev page
        # its right date (a teaser heading over a worded date became the headline).
        posted = _heading_above_date(page, [(el, text) for el, text in _heading_candidates(page)
                                            if el.tag != "h1" and not _in_site_chrome(el)], worded=True)
        if posted is not None:
            return posted
    best, best_score = None, 0.3
    for h in open_h1s or h1s:
        score = _likeness(headline_text(h), declared)
        if score > best_score + 0.05:  # the first of near-equals: the body's own comes first
            best, best_score = h, score
    if best is not None:
        return best
    if open_h1s:
        return open_h1s[0]
    candidates = _heading_candidates(page)
    # The site name in the <title> suffix ("新闻动态--中国地理学会官网") is no headline.
    suffix = [p for p in TITLE_SEPARATORS.split(doc_title) if p]
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


@per_page
def _heading_candidates(page: Page) -> list[tuple[Any, str]]:
    """(element, text) of the heading-like elements (h1-h5, *title* and *headline* classes)
    outside links, with a text of 4-120 characters, in document order; computed once per
    page (the older-blog rule and the last fallback of ``_find_headline`` both read them)."""
    candidates = []
    for el in xpath(page.tree, _HEADING_XPATH):
        if el.tag in ("html", "body", "head", "title", "meta") or xpath(el, "ancestor::a") or el.tag == "a":
            continue
        text = element_text(el)
        if 4 <= len(text) <= 120:
            candidates.append((el, text))
    return candidates


def _heading_above_date(page: Page, candidates: list[tuple[Any, str]], worded: bool = False) -> Any:
    """Of the headings, the one followed most closely (within 3 text pieces) by a date. When
    two headings of the same markup are both followed by dates the page is a list of teasers,
    and no heading is the headline. ``worded``: a date in words ("March 14, 2009", "14. März
    2009") counts too, not only a numeric one."""
    best, best_gap = None, 4
    dated: dict[tuple[str, str], int] = {}
    for el, text in candidates[:40]:
        if len(text) < 6:
            continue
        gap = 0
        for piece in _texts_after(page, el, 3):
            gap += 1
            if NUMERIC.search(piece) or (worded and parse_stamp(piece, relative=False) is not None):
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
    # (each pattern needs a character a plain one-line headline lacks: tested first, in C)
    if "\x01" in text:
        text = _KICKER_MARK.sub(r": \1", text).replace("\x01", "")
    if "\x00" in text:
        text = _BREAK_BEFORE_PUNCTUATION.sub("", text).replace("\x00", " ")
    text = squash(text)
    # a kicker's colon in its own element, the headline's element right after it: "Kicker:Headline"
    return _GLUED_COLON.sub(": ", text) if ":" in text else text


_KICKER_MARK = re.compile(r"\x01([\s\x00]*)(?![\s\x00]*[:：.!?–—-])(?=[\s\x00]*\S)")
_BREAK_BEFORE_PUNCTUATION = re.compile(r"[\s\x00]*\x00[\s\x00]*(?=[:：,.;!?])")
_GLUED_COLON = re.compile(r"(?<=[a-zA-Zß-ÿ]):(?=[A-ZÀ-Þ][a-zß-ÿ])")


def _is_hidden_self(node: Any) -> bool:
    if node.get("hidden") is not None or node.get("aria-hidden") == "true":
        return True
    cls = node.get("class")
    if cls and search_ignorecase(_HIDDEN_CLASS, cls):
        return True
    style = node.get("style")
    return bool(style and HIDDEN_STYLE.search(style))
