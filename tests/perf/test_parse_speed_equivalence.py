"""The parser's fast paths against the plain code they replaced: same results, always.

Each speed-up in crawler/parsing keeps a slower, obvious form of the same thing here
(a regex over every character, an XPath with libxml2 string functions, re.I), and the
two are compared on the fixture pages and on strings made to hit the edge cases
(control and format characters, NFC compositions, full-width letters, İ ı ſ K).
"""

from __future__ import annotations

import codecs
import random
import re
import unicodedata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from crawler.parsing import clean
from crawler.parsing.authors import _author_markup
from crawler.parsing.boilerplate import CREDIT_ATTR, HIDDEN_CLASS, HIDDEN_STYLE
from crawler.parsing.breadcrumb import _MARKUP_CLASS_PARTS, _is_trail_markup
from crawler.parsing.clean import _CJK_WEIGHTED, normalize_text, text_weight, weighs_less
from crawler.parsing.counts import _COUNT_HINT, _count_candidates
from crawler.parsing.header import _COMMENTISH
from crawler.parsing.page import Page, deeper_than, search_ignorecase, squash, xpath
from crawler.parsing.source import _SOURCE_CLASSED, _source_classed
from crawler.parsing.summary import _CLASS_HINT, _opening, _opening_plain
from crawler.parsing.tags import _tag_links
from storage import textfold
from storage.checks import _BAD_CHARS, _has_bad_chars
from storage.sanitize import MEDIA_SCHEMES, absolute_url
from storage.textfold import _NOT_WORD, _without_ascii_non_word, fold_for_hash
from tests.conftest import FIXTURES

PAGES = sorted((FIXTURES / "pages").rglob("*.html"))
ODD = (" \t\n\r\x0b\x0c\x00\x1f\x7f\x85\xa0\u3000\u2000\u200b\u200d\u2028\u202f\ufeff\ud800\udc00"
       "eAaé\u0301\u0300\u0338\uff21\uff41\uff10\uff0c，。中文\u212b\u1100\u1161\uac00\ue000\u2065K\u0130\u0131\u017f")


def _strings(seed: int, count: int = 20000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ODD) for _ in range(rng.randint(0, 10))) for _ in range(count)]


def _normalize_text_plain(text: str) -> str:
    from crawler.parsing import clean

    if not text:
        return ""
    text = unicodedata.normalize("NFC", clean._SURROGATES.sub("", text))
    text = clean._INVISIBLE.sub("", text).translate(clean._FULLWIDTH_ALNUM)
    return clean._SPACES.sub(" ", text).strip()


def test_normalize_and_squash_match_the_regex_forms() -> None:
    for text in _strings(1):
        assert normalize_text(text) == _normalize_text_plain(text), repr(text)
        assert squash(text) == re.sub(r"\s+", " ", text).strip(), repr(text)


def test_fold_for_hash_of_ascii_matches_the_regex() -> None:
    rng = random.Random(2)
    for _ in range(2000):
        text = "".join(rng.choice("aZ09 _-.,;:!?'\"\t\n#$%&()") for _ in range(rng.randint(0, 30)))
        assert fold_for_hash(text) == re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


@pytest.mark.parametrize("pattern", [HIDDEN_CLASS, HIDDEN_STYLE, CREDIT_ATTR, _CLASS_HINT, _COMMENTISH, _COUNT_HINT])
def test_search_ignorecase_matches_re_i(pattern: re.Pattern[str]) -> None:
    words = sorted(set(re.findall(r"[a-z]{2,}", pattern.pattern)))
    rng = random.Random(3)
    for _ in range(5000):
        parts = []
        for _ in range(rng.randint(0, 5)):
            if rng.random() < 0.5:
                parts.append("".join(c.upper() if rng.random() < 0.3 else c for c in rng.choice(words)))
            else:
                parts.append("".join(rng.choice("aIiSsKk\u212a\u0130\u0131\u017f-_: \t评论x") for _ in range(2)))
        text = "".join(parts)
        assert search_ignorecase(pattern, text) == bool(pattern.search(text)), repr(text)


def _absolute_url_plain(value: str, base: str | None) -> str | None:
    cleaned = "".join(ch for ch in value.strip() if ch >= " " and ch != "\x7f")
    if not cleaned:
        return None
    resolved = urljoin(base, cleaned) if base else cleaned
    parts = urlsplit(resolved)
    if parts.scheme.lower() not in MEDIA_SCHEMES or not parts.netloc:
        return None
    return resolved


def test_absolute_url_drops_the_same_control_characters() -> None:
    for text in _strings(4, 3000):
        for value in ("http://a.example/" + text, text + "/x", " \x01" + text):
            assert absolute_url(value, "http://b.example/") == _absolute_url_plain(value, "http://b.example/")


#: a class that is exactly "author", "authors" or "author-<digit>", as _AUTHOR_CLASS reads them
_AUTHOR_TOKENS = " or ".join(f'translate(@class, "0123456789", "##########") = "{value}"'
                             for value in ("author", "authors", "author-#"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_candidate_elements_match_the_xpaths(path: Path) -> None:
    page = Page.from_bytes(path.read_bytes(), "http://example.com/a.html")
    counts = [el for el in page.tree.xpath("//body//*[@title or @class or @href]")
              if _COUNT_HINT.search(f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}')]
    assert _count_candidates(page) == counts
    authors = page.tree.xpath(
        '//body//*[@rel="author" or @itemprop="author" or contains(@class, "byline") or contains(@class, "author-name")'
        ' or contains(@class, "authorName") or contains(@class, "post-author")'
        f' or contains(@class, "article-author") or {_AUTHOR_TOKENS}]')
    assert _author_markup(page) == authors


def test_candidate_elements_on_edge_cases() -> None:
    html = ('<html><body><div class="author"><a rel="author" itemprop="author" class="VİEW">x</a>'
            '<span class="xbyline" title="ſ Comments">y</span></div><p class="author x" href="#COMMENTS">z</p>'
            '<p class="Author reviews">q</p><i itemprop="author" class="author">w</i><b rel="author"></b>'
            '<em class="views_x">3</em><em class="\u212a view">4</em></body></html>')
    page = Page.from_bytes(html, "http://example.com/")
    counts = [el for el in page.tree.xpath("//body//*[@title or @class or @href]")
              if _COUNT_HINT.search(f'{el.get("title", "")} {el.get("class", "")} {el.get("href", "")}')]
    assert _count_candidates(page) == counts
    authors = page.tree.xpath('//body//*[@rel="author" or @itemprop="author" or contains(@class, "byline")'
                              f' or {_AUTHOR_TOKENS}]')
    assert _author_markup(page) == authors


def test_bad_chars_test_matches_the_regex() -> None:
    for text in _strings(5, 5000):
        for value in (text, "x" + text, "é" + text, "中" + text, text + "\U0001f600"):
            assert _has_bad_chars(value) == bool(_BAD_CHARS.search(value)), repr(value)


def test_text_weight_and_weighs_less_match_the_regex_count() -> None:
    rng = random.Random(6)
    for text in _strings(6, 3000):
        text += "".join(rng.choice("a\u3400\u33ff\u9fff\ua000中") for _ in range(rng.randint(0, 4)))
        for value in (text, text.encode("ascii", "ignore").decode()):
            plain = len(value) + sum(map(len, _CJK_WEIGHTED.findall(value)))
            assert text_weight(value) == plain, repr(value)
            for weight in range(0, 24):
                assert weighs_less(value, weight) == (plain < weight), (repr(value), weight)


def _nested_html(rng: random.Random, depth: int = 0) -> str:
    """A random fragment: nested elements, white space, comments, processing instructions
    and pieces of summary labels, for the walks that replace itertext()."""
    pieces = ["", " ", "\n  ", "摘", "要", "：", "Sum", "mary", "x" * 7, "导读 ", "\u3000", "&#25688;", "【", "】",
              "tl;", "dr"]
    out = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.45 and depth < 5:
            tag = rng.choice(["div", "p", "span", "b", "section", "script"])
            out.append(f"<{tag}>{_nested_html(rng, depth + 1)}</{tag}>")
        elif roll < 0.55:
            out.append("<!-- c" + rng.choice(pieces) + " -->")
        elif roll < 0.6:
            out.append("<?pi " + rng.choice(pieces) + "?>")
        else:
            out.append(rng.choice(pieces))
    return "".join(out)


def test_opening_matches_itertext() -> None:
    rng = random.Random(7)
    for _ in range(400):
        html = f"<html><body><div>{_nested_html(rng)}</div></body></html>"
        for tree in (Page.from_bytes(html, "http://example.com/").tree, lxml.html.fromstring(html)):
            for el in tree.iter():
                if isinstance(el.tag, str):
                    assert _opening(el) == _opening_plain(el), html
    for path in PAGES:
        for el in Page.from_bytes(path.read_bytes(), "http://example.com/a.html").tree.iter("div", "p", "span"):
            assert _opening(el) == _opening_plain(el), path


def tree_depth(root: object, limit: int) -> int:
    """The plain form ``deeper_than`` replaced: how deep the element tree goes, counting no
    further than ``limit`` (``limit + 1`` for a deeper tree), one level of children at a
    time. Comments and processing instructions count as nodes, as in a walk over the tree."""
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return depth
        level = [child for node in level for child in node]  # type: ignore[attr-defined]
    return depth


def test_deeper_than_matches_tree_depth() -> None:
    rng = random.Random(8)
    trees = [Page.from_bytes(path.read_bytes(), "http://example.com/a.html").tree for path in PAGES]
    for _ in range(300):
        html = f"<html><body>{_nested_html(rng)}</body></html>"
        trees += [Page.from_bytes(html, "http://example.com/").tree, lxml.html.fromstring(html)]
    for levels in (3, 40, 260, 300):  # a comment, a PI or an element at the bottom
        for leaf in ("<!-- c -->", "<?pi x?>", "<b></b>", "x"):
            html = "<div>" * levels + leaf
            trees += [Page.from_bytes(html, "http://example.com/").tree, lxml.html.fromstring(html)]
    for tree in trees:
        depth = tree_depth(tree, 400)
        for limit in {0, 1, 2, 3, 4, 5, 7, depth - 1, depth, depth + 1, 250}:
            assert deeper_than(tree, limit) == (tree_depth(tree, limit) > limit), (limit, depth)


def test_fold_without_ascii_gaps_matches_the_regex() -> None:
    rng = random.Random(9)
    for text in _strings(10, 5000):
        text += "".join(rng.choice("a_ -,.’“”，。中\u00e9\ud800") for _ in range(rng.randint(0, 6)))
        assert _NOT_WORD.sub("", _without_ascii_non_word(text)) == _NOT_WORD.sub("", text), repr(text)
        text = re.sub("[\ud800-\udfff]", "", text)  # which OpenCC cannot take, in either form
        plain = unicodedata.normalize("NFKC", text).lower()
        if textfold._IDEOGRAPH.search(plain, 0, 2000):
            plain = clean.to_simplified(plain)
        assert fold_for_hash(text) == re.sub(r"[\W_]+", "", plain), repr(text)


def _is_trail_markup_plain(el: object) -> bool:
    upper = str.maketrans("BREADCRUMB", "breadcrumb")
    cls = el.get("class")  # type: ignore[attr-defined]
    for value in (cls, el.get("id"), el.get("aria-label")):  # type: ignore[attr-defined]
        if value and "breadcrumb" in value.translate(upper):
            return True
    return bool(cls) and any(part in cls for part in _MARKUP_CLASS_PARTS)


def test_trail_markup_matches_translate() -> None:
    rng = random.Random(11)
    words = ["breadcrumb", "BreadCrumb", "BREADCRUMB", "bread", "crumb", "Crumb", "news_path", "position", "Place",
             "location", "daohang", "weizhi", "İ", "\u212a", "ſ", " ", "-", "x"]
    for _ in range(3000):
        attrs = {name: "".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
                 for name in ("class", "id", "aria-label", "title") if rng.random() < 0.6}
        el = lxml.html.fromstring("<div></div>")
        for name, value in attrs.items():
            el.set(name, value)
        assert _is_trail_markup(el) == _is_trail_markup_plain(el), attrs


def test_body_texts_containing_matches_the_full_xpath() -> None:
    needles = ("来源", "來源", "发布时间", "发表时间", "發佈時間", "发布日期")
    htmls = [path.read_bytes() for path in PAGES] + [
        "<html><head><title>来源</title></head><body><p>&#26469;&#28304;：新华网</p><script>var a='发布时间'</script>"
        "<!-- 来源 --><p title='來源'>x</p><div>发布<b>时间</b> 發佈時間</div>tail 发布日期</body></html>",
        "<html><body><p>来</p>源<p>发表时间: 2020</p></body></html>",
        "<frameset><frame src='x'></frameset>",
    ]
    for html in htmls:
        page = Page.from_bytes(html, "http://example.com/")
        for count in range(1, len(needles) + 1):
            tests = " or ".join(f"contains(., '{n}')" for n in needles[:count])
            wanted = page.tree.xpath(f"//body//text()[{tests}]")
            got = page.body_texts_containing(*needles[:count])
            assert [(str(t), t.getparent(), t.is_tail) for t in got] == [
                (str(t), t.getparent(), t.is_tail) for t in wanted]


def test_tag_links_match_the_union_xpath() -> None:
    union = ('//body//a[@rel and contains(concat(" ", normalize-space(@rel), " "), " tag ")'
             ' and not(contains(concat(" ", normalize-space(@rel), " "), " category "))]'
             ' | //body//*[contains(@class, "tag") and not(contains(@class, "stage"))]//a[not(ancestor::nav)]')
    htmls = [path.read_bytes() for path in PAGES] + [
        '<html><body><a rel="tag" href="/a">a</a><div class="tags"><div class="tag-list"><a href="/b">b</a>'
        '<a rel="nofollow tag">c</a></div></div><nav class="tags"><a>d</a></nav><a rel="tag category">e</a>'
        '</body></html>',
        '<html><body><div class="tags"><a rel="x">only class</a></div><a rel="tags">no</a></body></html>',
        '<html><body><a rel=" TAG ">upper</a><a rel="\ttag\n">white</a><p class="stage tag"><a>s</a></p></body></html>',
        '<html><head><link rel="tag"></head><body class="tag"><a>in a tag body</a></body></html>',
    ]
    for html in htmls:
        page = Page.from_bytes(html, "http://example.com/")
        assert _tag_links(page) == page.tree.xpath(union)


@pytest.mark.parametrize("path", PAGES[::3], ids=lambda p: p.name)
def test_compiled_xpath_matches_element_xpath(path: Path) -> None:
    from crawler.parsing import _CANONICAL
    from crawler.parsing.headline import _HEADING_XPATH

    tree = Page.from_bytes(path.read_bytes(), "http://example.com/a.html").tree
    for expr in ("//body//h1", _CANONICAL, _HEADING_XPATH):
        assert xpath(tree, expr) == tree.xpath(expr)
    with_variable = "//body//text()[contains(., $n0)]"
    assert xpath(tree, with_variable, n0="的") == tree.xpath(with_variable, n0="的")
    for el in list(tree.iter("a", "li", "div", "span"))[:300]:
        for expr in ("ancestor::a", ".//a", "ancestor::li[.//a[@href]][1]", ".//a/@href",
                     ".//a[string-length(normalize-space()) > 0]"):
            assert xpath(el, expr) == el.xpath(expr)


def test_source_classed_matches_the_xpath() -> None:
    htmls = [path.read_bytes() for path in PAGES] + [
        '<html><body><div><p class="Source">a</p><span class="x-source-y"><b class="source">b</b></span>'
        '<i class="SOURCE">c</i><i>source</i></div></body></html>',
    ]
    for html in htmls:
        tree = Page.from_bytes(html, "http://example.com/").tree
        for region in tree.iter("body", "div", "section", "article", "header"):
            assert _source_classed(region) == region.xpath(_SOURCE_CLASSED)


def test_page_html_matches_the_plain_nul_removal() -> None:
    from crawler.parsing.encoding import decode_html
    from crawler.parsing.page import _XML_DECL, strip_preamble

    rng = random.Random(12)
    pieces = [b"<p>", b"x", b"\x00", b"\xe4\xb8\xad", b"\xe4\x00", b"\xe4\xb8", b"\xff", b"\xc3\xa9", b"\xef\xbb\xbf",
              b"\xa1\xa1", b"<?xml version='1.0'?>", b" ", "中".encode("gb18030"), b"\x00\xe4"]
    bodies = [path.read_bytes() for path in PAGES]
    bodies += [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    bodies += [codecs.BOM_UTF16_LE + "<p>中\x00</p>".encode("utf-16-le"), codecs.BOM_UTF8 + b"<p>\x00</p>"]
    for body in bodies:
        for header in (None, "gbk", "utf-8", "latin-1"):
            decoded = decode_html(body, header)
            plain = strip_preamble(_XML_DECL.sub("", decoded.text.replace("\x00", ""), count=1))
            assert Page.from_bytes(body, "http://example.com/", header_encoding=header).html == plain, body
