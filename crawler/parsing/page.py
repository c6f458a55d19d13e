"""The page parsed once: decoded text, lxml tree, meta tags, JSON-LD and URL.

Every field extractor reads from one ``Page`` so a page is decoded and parsed a single
time, however many fields are taken from it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.parsing.encoding import decode_html
from crawler.parsing.tree import (  # noqa: F401  (re-exported: the extractors import them from here)
    AnyWord,
    any_matches,
    deeper_than,
    element_text,
    in_document_order,
    loose,
    lower_for_match,
    lowered_for_words,
    owners_of_matches,
    search_ignorecase,
    squash,
    xpath,
)
from storage.sanitize import join_url

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
# Where the document proper starts: a doctype or the <html> tag.
_DOC_START = re.compile(r"<!doctype\s|<html[\s>]", re.I)
_PREAMBLE_LIMIT = 65536
_COMMENTS = re.compile(r"<!--.*?-->", re.S)


def strip_preamble(html: str) -> str:
    """The page without what a server or crawler printed before the document: a PHP warning,
    debug output, a stray tag or a wrapper line before ``<!DOCTYPE``/``<html>``. libxml2 opens
    the body at the first such text, so the whole ``<head>`` (title, meta tags, JSON-LD)
    would land in the body and the headline be lost. Only a preamble holding no ``<head>``
    or ``<body>`` of its own, within the first 64 KiB, is dropped."""
    match = _DOC_START.search(html, 0, _PREAMBLE_LIMIT)
    if match is None or match.start() == 0:
        return html
    preamble = html[: match.start()]
    if not _COMMENTS.sub("", preamble).strip() or re.search(r"<(?:head|body)[\s>]", preamble, re.I):
        return html  # white space and comments (a saved page's source URL) do no harm
    return html[match.start():]


def _page_html_plain(body: bytes | str, header_encoding: str | None = None) -> str:
    """The readable form of the text Page.from_bytes keeps (every NUL removed, whatever the
    encoding); Page.from_bytes(...).html must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    text = body if isinstance(body, str) else decode_html(body, header_encoding).text
    return strip_preamble(_XML_DECL.sub("", text.replace("\x00", ""), count=1))


#: what an href (white space stripped) starts with when ``Page.absolute`` makes no URL of it
UNLINKED = ("javascript:", "data:", "#")

_LOCAL = threading.local()
_TITLE_TEXTS = etree.XPath("//head/title//text()", smart_strings=False)
_LINK_TEXTS = etree.XPath("//body//a//text()", smart_strings=False)
_BODIES = etree.XPath("//body")
_STRING_VALUE = etree.XPath("string()", smart_strings=False)
_BODY_CLASSES = etree.XPath("//body//*/@class")


def _parser() -> lxml.html.HTMLParser:
    """This thread's HTML parser (lxml parsers must not be shared between threads; building
    one per page costs more than the parse of a small page).

    Every element is an ``HtmlElement``: lxml.html's own class lookup calls back into Python
    for each element proxy, only to give form controls their subclasses, which nothing here
    uses; the C-level default lookup gives the same classes to every other element."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(remove_comments=True, huge_tree=True)
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity))
        _LOCAL.parser = parser
    return parser



def _nul_free(body: bytes | str, encoding: str) -> bool:
    """True when the text decoded from ``body`` surely holds no NUL: UTF-8 (strict or with
    replacement) gives U+0000 for the byte 0 and for nothing else, and never takes that
    byte into a replaced sequence. ``bytes`` finds a byte with memchr, while a NUL search
    of a text with characters above U+00FF runs a character at a time (0.1 ms on a large
    page)."""
    return encoding == "utf-8" and isinstance(body, bytes) and b"\x00" not in body


@dataclass
class Page:
    """A fetched HTML page, parsed once and shared by the field extractors."""

    url: str
    html: str
    encoding: str = "utf-8"
    decoded_cleanly: bool = True
    replaced_chars: int = 0
    tree: Any = field(default=None, repr=False)
    #: values derived from the page by the field extractors and shared between them (the
    #: headline element, the meta line, the article's JSON-LD object...): see ``per_page``
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_bytes(cls, body: bytes | str, url: str, header_encoding: str | None = None) -> Page:
        """Decode (unless already text) and parse a page."""
        if isinstance(body, str):
            html, encoding, clean, replaced = body, "utf-8", True, 0
        else:
            decoded = decode_html(body, header_encoding)
            html, encoding, clean, replaced = decoded.text, decoded.encoding, decoded.clean, decoded.replaced
        if not _nul_free(body, encoding):
            html = html.replace("\x00", "")
        html = strip_preamble(_XML_DECL.sub("", html, count=1))
        parser = _parser()
        try:
            tree = lxml.html.document_fromstring(html or "<html></html>", parser=parser)
        except (etree.ParserError, ValueError):
            tree = lxml.html.document_fromstring("<html></html>", parser=parser)
        return cls(url=url, html=html, encoding=encoding, decoded_cleanly=clean, replaced_chars=replaced, tree=tree)

    def may_contain(self, *needles: str) -> bool:
        """False only when no text node or attribute value of the tree can contain any of
        ``needles`` (letters, digits or CJK, case as written): a C-level substring test on the
        HTML that spares an XPath over every node. The parser turns only character
        references into such characters (HTML 4 named entities give none of them), so a page
        with any ``&#`` is always searched."""
        html = self.html
        return "&#" in html or any(needle in html for needle in needles)

    @cached_property
    def body_string(self) -> str:
        """The body's text nodes joined (its XPath string value: the text of scripts in,
        comments out, character references read), built in C: what a search of
        ``//body//text()`` looks through, without the markup of the whole HTML."""
        return "".join(_STRING_VALUE(body) for body in _BODIES(self.tree))

    @cached_property
    def body_classes(self) -> list[Any]:
        """The class values of the body's elements in document order, as XPath results
        (``getparent()`` is the owner): counts, authors and tags each search them, and the
        XPath costs more than the searches (the tree is never changed after parsing)."""
        classes: list[Any] = _BODY_CLASSES(self.tree)
        return classes

    @cached_property
    def body_lower(self) -> str:
        """``body_string`` lowered for ``AnyWord.in_lowered`` (several fields look for words in
        it), made only when ``body_has_any`` cannot do without it."""
        return lowered_for_words(self.body_string)

    @cached_property
    def body_ascii_lower(self) -> bytes:
        """``body_string`` with every character beyond ASCII made one "?", lowered (see ``AnyWord.in_split``)."""
        return self.body_string.encode("ascii", "replace").lower()

    def body_has_any(self, words: AnyWord) -> bool:
        """``words.in_lowered(self.body_lower)``: whether the body's text holds any of
        ``words`` as re.I reads them, searched without lowering the whole text when the
        words and the text allow it (``AnyWord.in_split``; ``body_lower`` is then never made)."""
        text = self.body_string
        if words.splits(text):
            return words.in_split(text, self.body_ascii_lower)
        return words.in_lowered(self.body_lower)

    def _body_has_any_plain(self, words: AnyWord) -> bool:
        """The readable form; body_has_any must equal it, see tests/perf/test_parse_speed_equivalence.py."""
        return words.in_lowered(self.body_lower)

    def body_texts_containing(self, *needles: str) -> list[Any]:
        """The body's text nodes holding any of ``needles``, in document order, as
        ``//body//text()[contains(., needle) or ...]`` finds them. The XPath is asked only
        about the needles that ``body_string`` holds (a node holds a needle only if their
        concatenation does), so on most pages it does not run, and when it does, it runs
        one ``contains()`` a node instead of one per needle."""
        # (a one-character search first: it runs at memchr speed, a search for two CJK
        # characters ten times slower, and most pages hold none of a needle's first)
        text = self.body_string
        present = [needle for needle in needles if needle[:1] in text and needle in text]
        if not present:
            return []
        tests = " or ".join(f"contains(., $n{i})" for i in range(len(present)))
        return xpath(self.tree, f"//body//text()[{tests}]", **{f"n{i}": n for i, n in enumerate(present)})

    def _body_texts_containing_plain(self, *needles: str) -> list[Any]:
        """The readable form; body_texts_containing must equal it, see tests/perf/test_parse_speed_equivalence.py."""
        tests = " or ".join(f"contains(., $n{i})" for i in range(len(needles)))
        return xpath(self.tree, f"//body//text()[{tests}]", **{f"n{i}": n for i, n in enumerate(needles)})

    @cached_property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def absolute(self, href: str | None) -> str | None:
        """``href`` resolved against the page URL (None stays None)."""
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(UNLINKED):
            return None
        return join_url(self.base_url, href)

    @cached_property
    def base_url(self) -> str:
        # the first <base> with an href, as //base/@href[1] but without an XPath over the tree
        href = next((h for el in self.tree.iter("base") if (h := el.get("href")) is not None), None)
        return urljoin(self.url, href.strip()) if href is not None else self.url

    @cached_property
    def doc_title(self) -> str:
        """The ``<title>`` text, white space collapsed (several extractors read it)."""
        return squash(" ".join(_TITLE_TEXTS(self.tree)))

    @cached_property
    def link_texts(self) -> list[str]:
        """Every text node inside a link of the body, in document order (plain strings)."""
        return _LINK_TEXTS(self.tree)

    @cached_property
    def meta(self) -> dict[str, str]:
        """``<meta>`` contents keyed by lower-cased name/property/itemprop; the first one wins."""
        found: dict[str, str] = {}
        for el in self.tree.iter("meta"):
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            content = el.get("content")
            if key and content and content.strip():
                found.setdefault(key.strip().lower(), content.strip())
        return found

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, ``@graph`` members flattened; broken blocks skipped."""
        objects: list[dict[str, Any]] = []
        for script in xpath(self.tree, '//script[contains(translate(@type, "JSONLD", "jsonld"), "ld+json")]'):
            raw = (script.text or "").strip()
            if not raw:
                continue
            try:
                data = json.loads(raw)
            except ValueError:
                try:
                    data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
                except ValueError:
                    continue
            stack = data if isinstance(data, list) else [data]
            while stack:
                item = stack.pop(0)
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    objects.append(item)
                    if isinstance(item.get("@graph"), list):
                        stack.extend(item["@graph"])
        return objects

    def jsonld_of_type(self, *types: str) -> list[dict[str, Any]]:
        """JSON-LD objects whose @type is one of ``types``."""
        wanted = set(types)
        return [obj for obj in self.jsonld if jsonld_types(obj) & wanted]

    @cached_property
    def language(self) -> str | None:
        """BCP 47 primary language tag from ``<html lang>``, meta tags, or the script of the title."""
        lang = self.tree.get("lang") or self.tree.get("xml:lang") or self.meta.get("content-language") \
            or self.meta.get("og:locale") or self.meta.get("language")
        # Chinese CMS templates often ship ``<html lang="en">``: a declared language is trusted
        # only when the title does not say otherwise (a Chinese title decides for zh).
        title = self.doc_title[:200]
        primary = re.split(r"[-_]", lang.strip())[0].lower() if lang else ""
        if primary not in ("ja", "ko") and _cjk_share(title) > 0.3 and not re.search(r"[\u3040-\u30ff]", title):
            return "zh"
        if primary.isalpha() and 2 <= len(primary) <= 3:
            return primary
        sample = title + (element_text(self.tree.body)[:400] if self.tree.body is not None else "")
        if sample and _cjk_share(sample) > 0.2:
            return "zh"
        return None


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The ``@type`` names of a JSON-LD object (a string or a list of them)."""
    kind = obj.get("@type")
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return {kind} if isinstance(kind, str) else set()


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs in ``text`` (0 for empty text)."""
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") / len(text) if text else 0.0




_T = TypeVar("_T")


def per_page(compute: Callable[[Page], _T]) -> Callable[[Page], _T]:
    """A value derived from a page that several extractors share, computed on first use and
    kept in ``page.derived`` under the decorated function: ``@per_page def header(page)``.
    Several fields read the headline element or the meta line; the page is looked at once."""

    @wraps(compute)
    def value(page: Page) -> _T:
        derived = page.derived
        if value in derived:
            found: _T = derived[value]
            return found
        derived[value] = result = compute(page)
        return result

    return value
