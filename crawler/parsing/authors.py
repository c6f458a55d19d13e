"""Authors (bylines), from an ordered list of sources: JSON-LD, meta tags, byline markup,
作者/记者 labels in the meta line, reporter lines in the article, a signature, a "By" line.
Each source is isolated: one that fails is logged and skipped. Editors (责任编辑, 编辑, 责编)
are never authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from crawler.parsing.header import header_labels, header_texts, in_comments
from crawler.parsing.headline import TITLE_SEPARATORS
from crawler.parsing.jsonld import jsonld_article, jsonld_names
from crawler.parsing.page import (
    Page,
    element_text,
    in_document_order,
    loose,
    owners_of_matches,
    squash,
)
from crawler.parsing.people import (
    _EDITOR_BEFORE,
    editor_only,
    jsonld_people,
    looks_like_person,
    name_shaped,
    split_people,
)
from crawler.parsing.source import header_source
from crawler.parsing.sources import attempt, first_found
from crawler.parsing.title import site_name_keys

_EDITOR = re.compile(r"(责任编辑|責任編輯|责编|責編|编辑|編輯|校对|審核|审核|监制|编审)\s*[:：]")
_AUTHOR_LABEL = re.compile(r"(?:作者|文|撰文|记者|記者|通讯员|author)\s*[:：|丨]\s*([^\s|/，,;；　]{1,30}(?:[\s、,，][^\s|/，,;；:：　]{1,20}){0,3})", re.I)
_NOT_NAMES = {"未知", "佚名", "网络整理", "网络", "本站", "匿名", "admin", "administrator", "name", "编辑", "小编", "unknown",
              "staff", "网友"}
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
        if match and not in_comments(el):
            names = [n for n in re.split(r"\s*[\s、，,和]\s*", match.group("names")) if n]
            return [n for n in names if _is_person(n, _site_names(page), None)]
    return []


_REL_ITEMPROP = etree.XPath("//body//*/@rel | //body//*/@itemprop")
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
    classed = owners_of_matches(page.body_classes, _AUTHOR_CLASS)
    if marked and classed:
        return in_document_order(marked + classed)
    return list(dict.fromkeys(marked)) or classed  # rel and itemprop of one element: once


#: a class that is exactly "author", "authors" or "author-<digit>", as _AUTHOR_CLASS reads them
_AUTHOR_TOKENS = " or ".join(f'translate(@class, "0123456789", "##########") = "{value}"'
                             for value in ("author", "authors", "author-#"))


def _author_markup_plain(page: Page) -> list[Any]:
    """The readable form; _author_markup must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return page.tree.xpath(
        '//body//*[@rel="author" or @itemprop="author" or contains(@class, "byline") or contains(@class, "author-name")'
        ' or contains(@class, "authorName") or contains(@class, "post-author") or contains(@class, "article-author")'
        f' or {_AUTHOR_TOKENS}]')



_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "sailthru.author",
                 "parsely-author", "cxenseparse:author", "article:author_name", "citation_author")
# "By Jane Doe" / "Von Max Muster" / "Posted by Tom Baker on 14.03.2009" as a short line of
# its own (not prose: a capitalised label, no sentence end; a dot only beside a digit)
_BY_LABELS = ("Posted by", "Posted By", "posted by", "Written by", "Written By", "written by",
              "By", "BY", "Von", "VON", "Par", "Por", "Door", "Af", "Av")
_BY_LINE = re.compile(r"^\s*(?:" + "|".join(_BY_LABELS) + r")\s+"
                      r"(?P<names>[^\W\d_](?:[^.!?]|(?<=\d)\.|\.(?=\d)){1,70})$")
_RIGHT_ALIGNED = etree.XPath('//body//p[contains(translate(@style, " ", ""), "text-align:right")]')


def _outlets(page: Page) -> list[str]:
    """Loose forms of the outlet's names: site names, the JSON-LD publisher and any
    organisation named as author, the host's labels."""
    keys = set(site_name_keys(page))
    art = jsonld_article(page)
    keys.update(loose(n) for n in jsonld_names(art.get("publisher")))
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
        if 2 < len(text) <= 40 and len(text.split()) <= 5 and not in_comments(el):
            names = [n for n in split_people(text) if ok(n) and name_shaped(n)]
            if names:
                return names
    return []


def _by_line(page: Page, ok: Any) -> list[str]:
    """A visible "By X" line anywhere in the body, when no other source names anyone
    (``body_texts_containing`` searches the text nodes only when the body holds a label)."""
    for node in page.body_texts_containing(*(label + " " for label in _BY_LABELS)):
        text = squash(str(node))
        match = _BY_LINE.match(text)
        parent = node.getparent()
        if not match or parent is None or parent.tag in ("script", "style") or in_comments(parent):
            continue
        if parent.tag == "a" or any(a.tag == "a" for a in parent.iterancestors()):  # a teaser of another article
            continue
        names = [n for n in split_people(match.group("names")) if ok(n) and name_shaped(n)]
        if names:
            return names
    return []


@dataclass(frozen=True, slots=True)
class _Judge:
    """What tells a person from what else CMSs put in author slots on this page: the
    site's own names, its source (来源) and its outlet names."""

    site_names: list[str]
    source: str | None
    outlets: list[str]

    def ok(self, name: str) -> bool:
        return looks_like_person(name, self.outlets) and _is_person(name, self.site_names, self.source)


def _from_jsonld(page: Page, judge: _Judge) -> list[str]:
    """The JSON-LD author, unless the page shows the name only as its editor ("Editor : X").
    A name the JSON-LD types as a Person may contain the outlet's ("Guardian staff
    reporter"); only the outlet's own name is no person."""
    outlets, source = judge.outlets, judge.source
    found = [n for n in jsonld_people(page, jsonld_article(page).get("author"))[0]
             if looks_like_person(n, outlets, exact=True) and _is_person(n, [], source) and loose(n) not in outlets]
    return [n for n in found if not editor_only(page, n)]


def _from_meta(page: Page, judge: _Judge) -> list[str]:
    """The first author meta tag that names a person."""
    for key in _AUTHOR_META:
        value = page.meta.get(key)
        if value and not value.startswith("http"):
            found = [n for n in split_people(value, metadata=True) if judge.ok(n)]
            if found:
                return found
    return []


def _from_markup(page: Page, judge: _Judge) -> list[str]:
    """The first byline element (rel/itemprop author, author classes) outside comments that
    is not an editor's."""
    for el in _author_markup(page):
        if in_comments(el):
            continue
        text = element_text(el)
        if text and len(text) < 80 and not _EDITOR.search(text) and not _EDITOR_BEFORE.search(
                _element_text_before(el).strip()[-40:]):
            found = [n for n in split_people(_AUTHOR_LABEL.sub(lambda m: m.group(1), text)) if judge.ok(n)]
            if found:
                return found
    return []


def _from_label_piece(page: Page, judge: _Judge) -> list[str]:
    """作者 as a label piece and a value piece of the meta line."""
    labelled = header_labels(page).get("author")
    return [labelled] if labelled and judge.ok(labelled) else []


def _from_meta_line(page: Page, judge: _Judge) -> list[str]:
    """The first 作者/记者 label inline in the meta line (the part before an editor label)."""
    for text in header_texts(page):
        match = _AUTHOR_LABEL.search(_EDITOR.split(text)[0])
        if match:
            return [n for n in split_people(match.group(1)) if judge.ok(n)]
    return []


def _from_body_bylines(page: Page, judge: _Judge) -> list[str]:
    return _body_bylines(page)


def _from_signature(page: Page, judge: _Judge) -> list[str]:
    return _signature(page, judge.ok)


def _from_by_line(page: Page, judge: _Judge) -> list[str]:
    return _by_line(page, judge.ok)


_SOURCES = (_from_jsonld, _from_meta, _from_markup, _from_label_piece, _from_meta_line, _from_body_bylines,
            _from_signature, _from_by_line)


def extract_authors(page: Page) -> list[str]:
    """Bylines: JSON-LD author, meta author, byline markup, 作者/记者 labels, reporter lines in
    the article, a signature, a "By" line (never editors, the site itself or placeholders).
    A JSON-LD author the page shows only as its editor ("Editor : X") is passed over, and so
    is JSON-LD that names only the outlet: the visible byline names the people. The first
    source that names someone gives the authors; each is isolated (``sources.first_found``)."""
    judge = _Judge(attempt(_site_names, page) or [], header_source(page), attempt(_outlets, page) or [])
    found = first_found(_SOURCES, page, judge) or []
    out: list[str] = []
    for name in found:
        if name and name not in out and not name.startswith("http"):
            out.append(name)
    return out
