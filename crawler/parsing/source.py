"""The original publisher (``source``): a 本文来自… / 转载自… line, a 来源 label near the
headline, an element classed *source*, an outlet named beside the date, else the JSON-LD
publisher. 来源 / 本文来自 / 转载自 lines go here, never to the authors.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.parsing.dates import NUMERIC
from crawler.parsing.header import header_labels, header_texts, in_comments
from crawler.parsing.headline import headline_element
from crawler.parsing.jsonld import jsonld_article, jsonld_names
from crawler.parsing.page import (
    Page,
    element_text,
    per_page,
    squash,
    xpath,
)
from crawler.parsing.record import Source
from crawler.parsing.sources import first_found

_SOURCE_LABEL = re.compile(r"(?:来源|來源|出处|稿源|source)\s*[:：]\s*([^\s|/　]{1,40}(?:\s[^\s|/:：　]{1,20})?)", re.I)
_REPRINT = re.compile(
    r"^\s*[(（【\[]?\s*(?:本文|文章|此文|内容)?\s*(?:[来來]自|[转轉]载自|[转轉]自|[来來]源于|原文[来來]自)\s*"
    r"(?P<channel>微信公[众衆][号號]|公[众衆][号號]|[^:：\s,，]{0,8}?)\s*[:：「“]?\s*"
    r"(?P<name>[^(（,，:：」”\s][^(（,，:：」”]*?)\s*(?:[(（]\s*(?:ID|id|微信号)\s*[:：]\s*(?P<id>[\w.-]+)\s*[)）])?"
    r"\s*(?:[,，]\s*作者\s*[:：]\s*(?P<author>[^,，。()（）]+))?\s*(?:[,，。]|$)"
)


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


def _source_classed_plain(region: Any) -> list[Any]:
    """The readable form; _source_classed must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return xpath(region, _SOURCE_CLASSED)



def _labelled(page: Page) -> str | None:
    """来源: inline in a piece of the meta line."""
    for text in header_texts(page):
        match = _SOURCE_LABEL.search(text)
        if match:
            name = _first_token(match.group(1)) or None
            if name:
                return name
    return None


def _label_and_value(page: Page) -> str | None:
    """来源 as a label piece and a value piece of the meta line."""
    return header_labels(page).get("source")


def _classed_near_headline(page: Page) -> str | None:
    """An element classed *source* near the headline whose text is a piece of the meta line."""
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
                return name
    return None


def _outlet_beside_date(page: Page) -> str | None:
    return _bare_outlet(header_texts(page, 8))


def _source_line_anywhere(page: Page) -> str | None:
    """A short ``本文来源：…`` / ``来源：…`` line anywhere (often under the body, outside the
    extracted blocks)."""
    for node in page.body_texts_containing("来源", "來源"):
        match = _SOURCE_LINE.match(str(node))
        if match and not in_comments(node.getparent()):
            name = _first_token(match.group("name")) or None
            if name:
                return name
    return None


_HEADER_SOURCES = (_labelled, _label_and_value, _classed_near_headline, _outlet_beside_date, _source_line_anywhere)


@per_page
def header_source(page: Page) -> str | None:
    """来源 near the headline (inline or as label + value pieces), else an element classed
    *source* near the top, else an outlet named beside the date, else a short ``本文来源：…`` /
    ``来源：…`` line anywhere. Computed once per page."""
    return first_found(_HEADER_SOURCES, page)


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


def _line_at_end(page: Page, body_blocks: list[str]) -> Source | None:
    """A 来源：… or 本文来自… line among the body's last blocks (the usual place)."""
    for block in reversed(body_blocks[-5:]):
        if len(block) < 60 and (match := _SOURCE_LINE.match(block)) and (name := _first_token(match.group("name"))):
            return Source(name=name, line=squash(block))
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    return None


def _line_at_start(page: Page, body_blocks: list[str]) -> Source | None:
    """A 本文来自… line opening the body."""
    for block in body_blocks[:2]:
        if len(block) < 160 and (src := parse_source_line(block)):
            return src
    return None


def _near_headline(page: Page, body_blocks: list[str]) -> Source | None:
    name = header_source(page)
    return Source(name=name) if name else None


def _jsonld_publisher(page: Page, body_blocks: list[str]) -> Source | None:
    publisher = jsonld_names(jsonld_article(page).get("publisher"))
    return Source(name=squash(publisher[0])) if publisher else None


_SOURCES = (_line_at_end, _line_at_start, _near_headline, _jsonld_publisher)


def extract_source(page: Page, body_blocks: list[str]) -> Source | None:
    """Original publisher: a 本文来自… line (usually last in the body), a 来源 label near the
    headline, else the JSON-LD publisher. Each source isolated (``sources.first_found``)."""
    return first_found(_SOURCES, page, body_blocks)
