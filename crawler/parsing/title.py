"""The article's title: the headline sources, cleaned, and the one chosen.

A page declares its headline several times: the JSON-LD ``headline``, ``og:title``,
``twitter:title``, the visible ``<h1>`` and ``<title>``. They often differ in decoration
only (a site or section suffix, a kicker, entities); when they differ in wording, the
JSON-LD headline is the one the publisher wrote for machines and is taken first, as long
as it is plausible (not the site name, sharing a word with another source). Decorations
are removed only on evidence: another source equal to the rest, or a suffix naming the
site, the section the ``<title>`` also names, or a date.

Where the pieces live: ``jsonld`` (the article's JSON-LD object), ``headline`` (the
declared headlines and the visible headline element); this module chooses and cleans.
"""

from __future__ import annotations

import html
import re

from crawler.parsing.dates import NUMERIC
from crawler.parsing.headline import (
    CJK,
    TITLE_SEPARATORS,
    WORD,
    declared_titles,
    headline_element,
    headline_text,
)
from crawler.parsing.jsonld import jsonld_article
from crawler.parsing.page import Page, loose, per_page, squash
from crawler.parsing.sources import attempt

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
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")  # a URL slug filled in as a headline
_ELLIPSIS = ("…", "...", "⋯")


@per_page
def site_name_keys(page: Page) -> list[str]:
    """Loose forms of the names the site goes by: og:site_name, application-name, the
    JSON-LD publisher, the host's labels (``news.orf.at`` -> ``newsorfat``, ``orf``).
    Computed once per page."""
    # a CMS that fills application-name or twitter:site with the headline names no site
    titles = {loose(t) for t in (page.doc_title, *declared_titles(page).values())}
    weak = [page.meta.get("application-name", ""), page.meta.get("twitter:site", "").lstrip("@")]
    names = [page.meta.get("og:site_name", ""), *(n for n in weak if loose(n) not in titles)]
    publisher = jsonld_article(page).get("publisher")
    for pub in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            names.append(pub["name"])
    host = page.host.removeprefix("www.")
    names.append(host)
    labels = host.split(".")
    names += [label for label in labels[:-1] if len(label) >= 3 and label not in ("www", "com", "news", "co")]
    return list(dict.fromkeys(k for k in (loose(n) for n in names) if 2 <= len(k) <= 40))


def _is_site_part(part: str, site_keys: list[str]) -> bool:
    """A title part that names the site or its section, or is a date."""
    key = loose(part)
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
    loose_others = {loose(o) for o in others if o}
    seps = [m.group(0) for m in _DECORATION_SEPARATORS.finditer(text)]
    for k in range(len(parts) - 1, 0, -1):
        head = "".join(p + s for p, s in zip(parts[:k], seps[:k], strict=False))[: -len(seps[k - 1])]
        if loose(head) in loose_others and len(loose(head)) >= 4 and len(text) - len(head) <= 30:
            return head.strip()
    k = len(parts)
    while k > 1 and _is_site_part(parts[k - 1], site_keys):
        k -= 1
    if k == len(parts):
        return text
    head = "".join(p + s for p, s in zip(parts[:k], seps[:k], strict=False))[: -len(seps[k - 1])]
    return head.strip() if len(loose(head)) >= 4 else text


def _plausible(text: str, others: list[str], site_keys: list[str]) -> bool:
    """Not the site's name, and sharing a word (or for CJK text a character pair) with
    another source when there are two or more (not counting a logo h1 with the site's
    name): a template's fixed headline shares none."""
    key = loose(text)
    if len(key) < 2 or key in site_keys or _SLUG.fullmatch(text):
        return False
    others = [o for o in others if o and o != text and not _is_site_part(o, site_keys)]
    if len(others) < 2:
        return True
    low = text.lower()
    words = set(WORD.findall(low)) | {low[i:i + 2] for i in range(len(low) - 1) if CJK.match(low[i])}
    for other in others:
        olow = other.lower()
        if words & (set(WORD.findall(olow)) | {olow[i:i + 2] for i in range(len(olow) - 1) if CJK.match(olow[i])}):
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
    parts = [p for p in TITLE_SEPARATORS.split(title) if p]
    if len(parts) <= 1:
        return title.strip()
    for cand in known:
        if cand and cand in title:
            return cand
    return max(parts, key=len).strip()


def _visible_headline(page: Page) -> str:
    h1 = headline_element(page)
    return headline_text(h1) if h1 is not None else ""


def title_candidates(page: Page) -> dict[str, str]:
    """The page's headline sources, each without decoration: ``jsonld``, ``og``,
    ``twitter``, ``h1`` (the visible headline element's text) and ``title``."""
    declared = dict(declared_titles(page))
    h1_text = attempt(_visible_headline, page) or ""
    doc_title = squash(html.unescape(page.doc_title))
    site_keys = site_name_keys(page)
    raw = {**declared, "h1": h1_text, "title": doc_title}
    out: dict[str, str] = {}
    for key, text in raw.items():
        if not text:
            continue
        others = [v for k, v in raw.items() if k != key and v]
        out[key] = _undecorate(text, others, site_keys) if key != "h1" else text
    return out



def extract_title(page: Page, prefixes: tuple[str, ...] = ()) -> tuple[str | None, str | None, str | None]:
    """(clean title, raw headline, removed spam prefix).

    The JSON-LD headline, og:title, twitter:title, the visible headline, then the
    ``<title>``: the first that is plausible, without its decoration, completed when cut
    with an ellipsis. The declared headlines come before the visible one: publishers
    write them for this page, while a page's h1 may be a live blog's latest entry, a
    teaser box or a shortened display line."""
    cands = title_candidates(page)
    site_keys = site_name_keys(page)
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
        raw = doc_title if doc_title != squash(page.doc_title) else _strip_site_suffix(doc_title, [])
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
