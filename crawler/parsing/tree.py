"""Helpers over strings and lxml trees that every extractor uses: white space, case-blind
matching without re.I, attribute searches, compiled XPaths, visible text, depth.

Several are fast paths; each has its readable version beside it (``_<name>_plain``), which
tests/perf/test_parse_speed_equivalence.py holds it equal to. ``crawler.parsing.page`` re-exports them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import Any

from lxml import etree


def squash(text: str | None) -> str:
    """Collapse runs of white space (including U+3000 and NBSP) into one space.

    ``str.split()`` splits on exactly the characters the regex ``\\s`` matches
    (``Py_UNICODE_ISSPACE``) and drops the empty ends, so this equals
    ``re.sub(r"\\s+", " ", text).strip()`` at a fraction of the cost."""
    return " ".join(text.split()) if text else ""


_NOT_ALNUM = re.compile(r"[\W_]+")


def loose(text: str) -> str:
    """Case-folded, letters and digits only: the form names and titles are compared in
    ("DER SPIEGEL" ~ "spiegel.de" needs its own test; "ORF.at" ~ "orfat")."""
    return _NOT_ALNUM.sub("", text.casefold())


def _squash_plain(text: str | None) -> str:
    """The readable form; squash must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return re.sub(r"\s+", " ", text or "").strip()


# Besides the two cases of an ASCII letter, re.I matches İ and ı to i and ſ to s (and K to
# k, as lower() does); lower() makes İ two characters and leaves ı and ſ alone.
_LOWERED: dict[re.Pattern[str], re.Pattern[str]] = {}


def lower_for_match(text: str) -> str | None:
    """``text.lower()``, against which a case-sensitive pattern written in lower-case ASCII
    matches exactly where the same pattern with re.I matches ``text`` (None when ``text``
    holds İ, ı or ſ, which only re.I itself reads right). lower() keeps every offset and
    what \\w, \\s and \\b see; re.I costs several times more per character."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:  # İ, ı, ſ
        return None
    return text.lower()


def search_ignorecase(pattern: re.Pattern[str], text: str) -> bool:
    """``bool(pattern.search(text))`` for a re.I ``pattern`` whose letters are lower-case
    ASCII and that has no character ranges of letters: see ``lower_for_match``.

    Called for the class, id and style of most elements of a page, so the usual case is
    kept short: an ASCII text (``isascii`` reads a flag of the string) holds none of İ, ı, ſ."""
    plain = _LOWERED.get(pattern)
    if plain is None:
        plain = _LOWERED[pattern] = re.compile(pattern.pattern, pattern.flags & ~re.I)
    if text.isascii():
        return plain.search(text.lower()) is not None
    lowered = lower_for_match(text)
    if lowered is None:
        return pattern.search(text) is not None
    return plain.search(lowered) is not None


def _search_ignorecase_plain(pattern: re.Pattern[str], text: str) -> bool:
    """The readable form; search_ignorecase must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return pattern.search(text) is not None


# The characters re.I takes for one another although str.lower() keeps them apart (CPython's
# re/_casefix.py): ı matches i, ſ matches s, the Cyrillic narrow letters their plain forms ...
_RE_I_CLASSES = ("i\u0131", "s\u017f", "\xb5\u03bc", "\u0345\u03b9\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3",
                 "\u03b2\u03d0", "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1",
                 "\u03c2\u03c3", "\u03c6\u03d5", "\u0432\u1c80", "\u0434\u1c81", "\u043e\u1c82", "\u0441\u1c83",
                 "\u0442\u1c84\u1c85", "\u044a\u1c86", "\u0463\u1c87", "\u1c88\ua64b", "\u1e61\u1e9b",
                 "\ufb05\ufb06")


def lowered_for_words(text: str) -> str:
    """``text.lower()`` as re.I lowers each character: İ becomes i (lower() makes it i and a
    combining dot); the lowered text of a page is shared by every ``AnyWord`` asked of it."""
    return (text.replace("\u0130", "i") if "\u0130" in text else text).lower()


class AnyWord:
    """A test whether a text holds any of ``words`` (lower case), case-blind as re.I reads
    it: ``search`` must equal ``_any_word_plain``, a regex of the words joined by ``|``
    with re.I. Substring searches of the lowered text (C, memchr-fast) instead of an
    alternation tried at every offset of a page's text (re.I: 5 ms on a 60,000-character
    body, 70 ms on one with 360,000 characters of scripts)."""

    def __init__(self, *words: str) -> None:
        chars = set("".join(words))
        classes = [group for group in _RE_I_CLASSES if chars & set(group)]
        self._fold = {ord(ch): group[0] for group in classes for ch in group[1:]}
        self._odd = tuple(ch for group in classes for ch in group[1:])
        self.words = tuple(dict.fromkeys(lowered_for_words(word).translate(self._fold) for word in words))
        # each word under a character of it that a page seldom holds (its first one beyond
        # ASCII, else its first): a one-character search runs at memchr speed, one for a
        # word of several CJK characters is ten times slower, and most pages hold none
        keyed: dict[str, list[str]] = {}
        for word in self.words:
            keyed.setdefault(next((ch for ch in word if not ch.isascii()), word[:1]), []).append(word)
        self._keyed = tuple((key, tuple(group)) for key, group in keyed.items())
        # the split search (``in_split``): only for words each all ASCII (no "?") or all caseless
        # letters (CJK, kana, hangul: category Lo, which nothing lowers to and lower() keeps)
        self._splits = all(word.isascii() and "?" not in word or all(unicodedata.category(ch) == "Lo" for ch in word)
                           for word in self.words)
        self._ascii_words = tuple(word.encode("ascii") for word in self.words if word.isascii())
        # the words beyond ASCII, under the same keys: the groups of _keyed whose key is not ASCII
        self._caseless = tuple((key, group) for key, group in self._keyed if not key.isascii())
        # the characters of a text that make in_split unable to answer: those whose lower()
        # holds an ASCII letter (İ, the Kelvin sign K) and those re.I reads as a letter of the words
        self._unsplittable = ("\u0130", "\u212a", *self._odd)

    def search(self, text: str) -> bool:
        return self.in_lowered(lowered_for_words(text))

    def in_lowered(self, lowered: str) -> bool:
        """``search`` of the text whose ``lowered_for_words`` is ``lowered``. Plain loops, not
        ``any()`` over generators: it is asked of many short texts a page, and creating and
        resuming the generators cost more than the substring tests."""
        for ch in self._odd:
            if ch in lowered:
                lowered = lowered.translate(self._fold)
                break
        for key, group in self._keyed:
            if key in lowered:
                for word in group:
                    if word in lowered:
                        return True
        return False

    def splits(self, text: str) -> bool:
        """Whether ``in_split`` can answer for ``text``."""
        if not self._splits:
            return False
        for ch in self._unsplittable:
            if ch in text:
                return False
        return True

    def in_split(self, text: str, ascii_lowered: bytes) -> bool:
        """``search(text)`` when ``splits(text)``, without lowering ``text``: the caseless words
        are looked for in ``text`` itself, the ASCII ones in ``ascii_lowered``, which is
        ``text.encode("ascii", "replace").lower()`` (each other character one "?", so a
        match there is a match of the same characters in ``text.lower()``). Lowering a page's
        text that holds any character beyond ASCII costs some 40 instructions a character
        (0.97 M of a bench-site page's 27 M instructions); encoding and lowering the bytes
        costs 0.32 M, and the summary words are then searched in 0.27 M (1.34 -> 0.6 M)."""
        for key, group in self._caseless:
            if key in text:
                for word in group:
                    if word in text:
                        return True
        for raw in self._ascii_words:
            if raw in ascii_lowered:
                return True
        return False


def _any_word_plain(words: tuple[str, ...], text: str) -> bool:
    """The readable form; AnyWord(*words).search must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return re.search("|".join(map(re.escape, words)), text, re.I) is not None


def owners_of_matches(values: list[Any], pattern: re.Pattern[str], *, ignorecase: bool = False) -> list[Any]:
    """The elements owning the attribute ``values`` in which ``pattern`` matches, in order.

    ``values`` are XPath attribute results in document order (an element's own together),
    e.g. of ``//body//*/@class``. One regex over them all joined by NUL, which no
    attribute value holds, instead of one search per element: a page has hundreds of
    classed or linked elements and almost none is wanted. ``pattern`` must not match NUL
    (it may use it as a value's edge: ``(?:^|\0)author(?=\0|$)``) and must take at least one
    character of a value, the one a match maps back by; NUL is no word character, so
    ``\b`` at a value's edge is as it is for the value alone. ``ignorecase``: ``pattern``
    is written in lower case and means re.I (see ``lower_for_match``)."""
    if not values:
        return []
    joined, pattern = _joined(values, pattern, ignorecase)
    found: list[Any] = []
    ends: list[int] | None = None
    for match in pattern.finditer(joined):
        if ends is None:
            ends = list(accumulate(map((1).__add__, map(len, values))))  # each value's end + 1
        el = values[bisect_right(ends, match.end() - 1)].getparent()
        if not found or found[-1] is not el:
            found.append(el)
    return found


def _joined(values: list[Any], pattern: re.Pattern[str], ignorecase: bool) -> tuple[str, re.Pattern[str]]:
    """``values`` joined by NUL and the pattern to search them with (see ``owners_of_matches``)."""
    joined = "\0".join(values)
    if ignorecase:
        if (lowered := lower_for_match(joined)) is not None:  # the same matches at the same offsets, faster
            return lowered, pattern
        return joined, re.compile(pattern.pattern, pattern.flags | re.I)
    return joined, pattern


def any_matches(values: list[str], pattern: re.Pattern[str], *, ignorecase: bool = False,
                words: tuple[str, ...] = ()) -> bool:
    """Whether ``owners_of_matches`` would find anything in ``values``, read as plain strings.

    An XPath attribute result that knows its element (``smart_strings``, what
    ``owners_of_matches`` needs) costs about twice as much to build as a plain string: the
    plain values are read first and the owners only when some value matches.

    ``words``: strings one of which every match of ``pattern`` holds (in lower case when
    ``ignorecase``), looked for first as substrings, in C: the regex tries its alternation
    at every character the alternatives can start with (most of a page's hrefs: 0.2 M
    instructions on a bench-site page), and most pages' values hold none of the words."""
    if not values:
        return False
    joined, searched = _joined(values, pattern, ignorecase)
    if words and searched is pattern:  # (not the re.I fallback, which reads the values as written)
        for word in words:
            if word in joined:
                break
        else:
            return False
    return searched.search(joined) is not None


def in_document_order(elements: list[Any]) -> list[Any]:
    """``elements`` without repeats, sorted as they stand in the document (an element before
    its descendants): by the path of child positions from the root."""
    def path(el: Any) -> list[int]:
        steps = []
        parent = el.getparent()
        while parent is not None:
            steps.append(parent.index(el))
            el, parent = parent, parent.getparent()
        return steps[::-1]

    return sorted(dict.fromkeys(elements), key=path)


@lru_cache(maxsize=256)
def _compiled(expr: str) -> etree.XPath:
    return etree.XPath(expr)


def xpath(node: Any, expr: str, **variables: Any) -> Any:
    """``node.xpath(expr, **variables)``, with ``expr`` compiled once per process: ``.xpath``
    compiles its string on every call, 5-10 us, more than evaluating the small relative
    paths (``ancestor::a``, ``.//a``) asked of many elements of a page."""
    return _compiled(expr)(node, **variables)


def _xpath_plain(node: Any, expr: str, **variables: Any) -> Any:
    """The readable form; xpath must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return node.xpath(expr, **variables)


def element_text(el: Any) -> str:
    """Visible text of an element, white space collapsed; comments and scripts left out."""
    parts: list[str] = []
    for node in el.iter():
        if node.tag in ("script", "style", "noscript", "template") or not isinstance(node.tag, str):
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return squash(" ".join(parts)) if len(parts) > 1 else squash("".join(parts))


@lru_cache(maxsize=4)
def _below_level(limit: int) -> etree.XPath:
    """An XPath telling whether its context element has a node other than text ``limit``
    levels down (its children are level 2): ``limit - 1`` element steps, then any node."""
    return etree.XPath("boolean(" + "/".join(["*"] * (limit - 1) + ["node()[not(self::text())]"]) + ")")


def deeper_than(root: Any, limit: int) -> bool:
    """Whether the element tree under ``root`` goes more than ``limit`` levels deep (comments
    and processing instructions count as nodes, text does not), in libxml2: one XPath step a
    level instead of a Python proxy for every node of the page (five times faster on a 30 KB
    page than the level-by-level walk it replaced, ``_deeper_than_plain``)."""
    return limit < 1 or bool(_below_level(limit)(root))


def _deeper_than_plain(root: Any, limit: int) -> bool:
    """The readable form; deeper_than must equal it, see tests/perf/test_parse_speed_equivalence.py.
    One level of children at a time; comments and processing instructions count as nodes."""
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for node in level for child in node]
    return False

