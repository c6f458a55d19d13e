"""What the body stages share: tag classes, text length and element tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crawler.parsing.boilerplate import HIDDEN_CLASS, HIDDEN_STYLE
from crawler.parsing.page import search_ignorecase

SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
    "svg", "math", "button", "input", "select", "option", "textarea", "label",
    "nav", "aside", "object", "embed", "canvas", "video", "audio", "map", "dialog", "menu",
    "footer", "header", "source", "track", "picture-source",
    "rt", "rp",  # ruby annotations (furigana) and their fallback brackets: not the sentence's text
})
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "wbr", "big", "strike", "tt", "ins", "del", "nobr", "acronym", "img", "picture", "br",
    "ruby", "rb",
})
#: paragraph-like elements: their text scores their parent.
PARA_TAGS = frozenset({"p", "pre", "td", "h2", "h3", "h4", "h5", "h6", "blockquote"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol", "dl"})

_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_COMMAS = re.compile(r"[,，、;；。]")


def wlen(text: str) -> int:
    """Length with CJK characters counted twice (one CJK character carries about a word).

    ASCII text (tested in C) has no CJK; otherwise runs are matched, not single characters,
    so a Chinese paragraph is a few matches rather than one per character."""
    if not text or text.isascii():
        return len(text) if text else 0
    return len(text) + sum(map(len, _CJK_RUN.findall(text)))


def clause_marks(text: str) -> int:
    """How many of the clause marks in ``_COMMAS`` the text holds (ASCII has only , and ;)."""
    if text.isascii():
        return text.count(",") + text.count(";")
    return len(_COMMAS.findall(text))


def is_hidden(el: Any, get: Callable[[str], str | None] | None = None) -> bool:
    """``get``: the element's attributes, when the caller has read them already. Reads
    ``style``, ``hidden``, ``aria-hidden`` and ``class`` only (score._READ_ATTRIBUTES)."""
    if get is None:
        get = el.get
    style = get("style")
    if style and search_ignorecase(HIDDEN_STYLE, style):
        return True
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    cls = get("class")
    if not cls:
        return False
    if _hidden_class(cls):
        return True
    # Bootstrap's ``collapse`` is display:none until a click adds ``show`` (``in`` in v3):
    # team lists, letters and "read the letter" panels sit folded inside the article box;
    # its ``modal`` dialog too (disclosures, citation and sharing dialogs) until one opens it
    return (("collapse" in cls or "modal" in cls) and _COLLAPSED.search(cls) is not None
            and _SHOWN.search(cls) is None)


def _whole_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""The words of a pattern written ``(?:^|\s)(?:word|word-two|...)(?=$|\s)``: it matches where
    one of the words is a whole white-space-separated token; None for any other shape."""
    found = re.fullmatch(r"\(\?:\^\|\\s\)\(\?:([a-z|-]+)\)\(\?=\$\|\\s\)", pattern.pattern)
    return frozenset(found.group(1).split("|")) if found else None


_HIDDEN_WORDS = _whole_words(HIDDEN_CLASS)


def _hidden_class(cls: str) -> bool:
    """``search_ignorecase(HIDDEN_CLASS, cls)``: a token of an ASCII ``cls``, lowered, is one of
    the pattern's words. The pattern is a whole-token alternation, so this is the same test
    (``str.split()`` splits at exactly the characters ``\\s`` matches; ASCII text has none of
    the letters re.I reads beyond ASCII). ~0.25 us instead of ~0.9 us for the regex tried at
    every offset; asked of every classed element the body scan and the blocks walk see (~60 a
    page on the bench site). Text beyond ASCII, or a pattern of another shape, takes the regex."""
    if _HIDDEN_WORDS is not None and cls.isascii():
        return not _HIDDEN_WORDS.isdisjoint(cls.lower().split())
    return search_ignorecase(HIDDEN_CLASS, cls)


def _hidden_class_plain(cls: str) -> bool:
    """The readable form; _hidden_class must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return HIDDEN_CLASS.search(cls) is not None


_COLLAPSED = re.compile(r"(?:^|\s)(?:collapse|modal)(?:$|\s)")
_SHOWN = re.compile(r"(?:^|\s)(?:show|in|open|active|expanded)(?:$|\s)")


#: an element's attributes read as one dict (see ``attributes``)
Getter = Callable[[str], "str | None"]


def _no_attributes(name: str) -> str | None:
    """The attributes of an element without any."""
    return None


def attributes(el: Any) -> Getter:
    """``el.get`` for many names at the cost of one call: every attribute read at once (each
    ``el.get`` parses its name for a namespace, ~0.2 us); reversed, so a repeated name keeps
    its first value, as ``el.get`` does."""
    items = el.items()
    return dict(reversed(items)).get if items else _no_attributes


def class_and_id(get: Getter) -> str:
    """The class and id of an element (``get``: its attributes), joined by a space."""
    cls, ident = get("class"), get("id")
    if cls and ident:
        return cls + " " + ident
    return cls or ident or ""


def attr_text(el: Any) -> str:
    return class_and_id(el.get)

