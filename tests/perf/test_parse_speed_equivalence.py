"""The parser's fast paths against the plain code they replaced: same results, always.

Each speed-up in crawler/parsing and storage keeps a slower, obvious form of the same thing
right beside it in its module (``_<name>_plain``: a regex over every character, an XPath
with libxml2 string functions, re.I), and the two are compared here on the fixture pages
and on strings made to hit the edge cases (control and format characters, NFC
compositions, full-width letters, İ ı ſ K and the other letters re.I reads as one).
"""

from __future__ import annotations

import codecs
import random
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest

from crawler.parsing import datefields
from crawler.parsing.authors import _author_markup, _author_markup_plain
from crawler.parsing.boilerplate import CREDIT_ATTR, HIDDEN_CLASS, HIDDEN_STYLE
from crawler.parsing.breadcrumb import _is_trail_markup, _is_trail_markup_plain
from crawler.parsing.clean import _normalize_text_plain, _text_weight_plain, normalize_text, text_weight, weighs_less
from crawler.parsing.counts import _COUNT_HINT, _count_candidates, _count_candidates_plain
from crawler.parsing.header import _COMMENTISH
from crawler.parsing.page import Page, _page_html_plain, deeper_than, search_ignorecase, squash, xpath
from crawler.parsing.source import _source_classed, _source_classed_plain
from crawler.parsing.summary import _CLASS_HINT, _LABEL_WORDS, _opening, _opening_plain
from crawler.parsing.tags import _tag_links, _tag_links_plain
from crawler.parsing.tree import (
    _RE_I_CLASSES,
    AnyWord,
    _any_word_plain,
    _deeper_than_plain,
    _search_ignorecase_plain,
    _squash_plain,
    _xpath_plain,
)
from storage.checks import _has_bad_chars, _has_bad_chars_plain
from storage.sanitize import _absolute_url_plain, absolute_url, join_url
from storage.textfold import _NOT_WORD, _fold_for_hash_plain, _without_ascii_non_word, fold_for_hash
from tests.conftest import FIXTURES

PAGES = sorted((FIXTURES / "pages").rglob("*.html"))
ODD = (" \t\n\r\x0b\x0c\x00\x1f\x7f\x85\xa0\u3000\u2000\u200b\u200d\u2028\u202f\ufeff\ud800\udc00"
       "eAaé\u0301\u0300\u0338\uff21\uff41\uff10\uff0c，。中文\u212b\u1100\u1161\uac00\ue000\u2065K\u0130\u0131\u017f")


def _strings(seed: int, count: int = 20000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ODD) for _ in range(rng.randint(0, 10))) for _ in range(count)]


def test_normalize_and_squash_match_the_regex_forms() -> None:
    for text in _strings(1):
        assert normalize_text(text) == _normalize_text_plain(text), repr(text)
        assert squash(text) == _squash_plain(text), repr(text)


def test_fold_for_hash_of_ascii_matches_the_regex() -> None:
    rng = random.Random(2)
    for _ in range(2000):
        text = "".join(rng.choice("aZ09 _-.,;:!?'\"\t\n#$%&()") for _ in range(rng.randint(0, 30)))
        assert fold_for_hash(text) == re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())
        assert fold_for_hash(text) == _fold_for_hash_plain(text)


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
        assert search_ignorecase(pattern, text) == _search_ignorecase_plain(pattern, text), repr(text)


def test_absolute_url_drops_the_same_control_characters() -> None:
    for text in _strings(4, 3000):
        for value in ("http://a.example/" + text, text + "/x", " \x01" + text):
            assert absolute_url(value, "http://b.example/") == _absolute_url_plain(value, "http://b.example/")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_candidate_elements_match_the_xpaths(path: Path) -> None:
    page = Page.from_bytes(path.read_bytes(), "http://example.com/a.html")
    assert _count_candidates(page) == _count_candidates_plain(page)
    assert _author_markup(page) == _author_markup_plain(page)


def test_candidate_elements_on_edge_cases() -> None:
    html = ('<html><body><div class="author"><a rel="author" itemprop="author" class="VİEW">x</a>'
            '<span class="xbyline" title="ſ Comments">y</span></div><p class="author x" href="#COMMENTS">z</p>'
            '<p class="Author reviews">q</p><i itemprop="author" class="author">w</i><b rel="author"></b>'
            '<em class="views_x">3</em><em class="\u212a view">4</em></body></html>')
    page = Page.from_bytes(html, "http://example.com/")
    assert _count_candidates(page) == _count_candidates_plain(page)
    assert _author_markup(page) == _author_markup_plain(page)


def test_bad_chars_test_matches_the_regex() -> None:
    for text in _strings(5, 5000):
        for value in (text, "x" + text, "é" + text, "中" + text, text + "\U0001f600"):
            assert _has_bad_chars(value) == _has_bad_chars_plain(value), repr(value)


def test_text_weight_and_weighs_less_match_the_regex_count() -> None:
    rng = random.Random(6)
    for text in _strings(6, 3000):
        text += "".join(rng.choice("a\u3400\u33ff\u9fff\ua000中") for _ in range(rng.randint(0, 4)))
        for value in (text, text.encode("ascii", "ignore").decode()):
            plain = _text_weight_plain(value)
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
        depth = next(level for level in range(1, 402) if not _deeper_than_plain(tree, level))
        for limit in {0, 1, 2, 3, 4, 5, 7, depth - 1, depth, depth + 1, 250}:
            assert deeper_than(tree, limit) == _deeper_than_plain(tree, limit), (limit, depth)


def test_fold_without_ascii_gaps_matches_the_regex() -> None:
    rng = random.Random(9)
    for text in _strings(10, 5000):
        text += "".join(rng.choice("a_ -,.’“”，。中\u00e9\ud800") for _ in range(rng.randint(0, 6)))
        assert _NOT_WORD.sub("", _without_ascii_non_word(text)) == _NOT_WORD.sub("", text), repr(text)
        text = re.sub("[\ud800-\udfff]", "", text)  # which OpenCC cannot take, in either form
        assert fold_for_hash(text) == _fold_for_hash_plain(text), repr(text)


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
            wanted = page._body_texts_containing_plain(*needles[:count])
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
        '<html><body><a class="tag" href="/t">self</a><div class="tags"><span class="tag"><a>x</a><b class="Tag">'
        '<a>z</a></b></span><a>y</a></div><nav><ul class="tags"><li><a>n</a></li></ul></nav>'
        '<p class="mytagline"><i><a>deep</a></i></p><div class="tagstage"><a>no</a></div></body></html>',
    ]
    for html in htmls:
        page = Page.from_bytes(html, "http://example.com/")
        assert _tag_links(page) == page.tree.xpath(union) == _tag_links_plain(page)


@pytest.mark.parametrize("path", PAGES[::3], ids=lambda p: p.name)
def test_compiled_xpath_matches_element_xpath(path: Path) -> None:
    from crawler.parsing import _CANONICAL
    from crawler.parsing.headline import _HEADING_XPATH

    tree = Page.from_bytes(path.read_bytes(), "http://example.com/a.html").tree
    for expr in ("//body//h1", _CANONICAL, _HEADING_XPATH):
        assert xpath(tree, expr) == _xpath_plain(tree, expr)
    with_variable = "//body//text()[contains(., $n0)]"
    assert xpath(tree, with_variable, n0="的") == _xpath_plain(tree, with_variable, n0="的")
    for el in list(tree.iter("a", "li", "div", "span"))[:300]:
        for expr in ("ancestor::a", ".//a", "ancestor::li[.//a[@href]][1]", ".//a/@href",
                     ".//a[string-length(normalize-space()) > 0]"):
            assert xpath(el, expr) == _xpath_plain(el, expr)


def test_source_classed_matches_the_xpath() -> None:
    htmls = [path.read_bytes() for path in PAGES] + [
        '<html><body><div><p class="Source">a</p><span class="x-source-y"><b class="source">b</b></span>'
        '<i class="SOURCE">c</i><i>source</i></div></body></html>',
    ]
    for html in htmls:
        tree = Page.from_bytes(html, "http://example.com/").tree
        for region in tree.iter("body", "div", "section", "article", "header"):
            assert _source_classed(region) == _source_classed_plain(region)


def test_page_html_matches_the_plain_nul_removal() -> None:
    rng = random.Random(12)
    pieces = [b"<p>", b"x", b"\x00", b"\xe4\xb8\xad", b"\xe4\x00", b"\xe4\xb8", b"\xff", b"\xc3\xa9", b"\xef\xbb\xbf",
              b"\xa1\xa1", b"<?xml version='1.0'?>", b" ", "中".encode("gb18030"), b"\x00\xe4"]
    bodies = [path.read_bytes() for path in PAGES]
    bodies += [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    bodies += [codecs.BOM_UTF16_LE + "<p>中\x00</p>".encode("utf-16-le"), codecs.BOM_UTF8 + b"<p>\x00</p>"]
    for body in bodies:
        for header in (None, "gbk", "utf-8", "latin-1"):
            plain = _page_html_plain(body, header)
            assert Page.from_bytes(body, "http://example.com/", header_encoding=header).html == plain, body


_WORD_SETS = [datefields._PUBLISH_WORDS, datefields._UPDATE_WORDS, _LABEL_WORDS,
              AnyWord("yayınlanma", "опубликовано", "σας", "tl;dr", "")]


def _odd_text(rng: random.Random, words: tuple[str, ...]) -> str:
    """Pieces of the words with their letters swapped for the ones re.I reads as the same
    (upper case, ı İ ſ K, the Cyrillic narrow letters, final sigma...), among other text."""
    swaps: dict[str, str] = {}
    for group in _RE_I_CLASSES:
        for ch in group:
            swaps[ch] = group + group.upper()
    pieces = []
    for _ in range(rng.randint(0, 4)):
        word = rng.choice(words) if words and rng.random() < 0.7 else "".join(rng.choice(ODD) for _ in range(3))
        cut = word[: rng.randint(1, len(word))] if word and rng.random() < 0.3 else word
        pieces.append("".join(rng.choice(swaps.get(ch, ch) + ch.upper() + ch + "\u0130") if rng.random() < 0.3 else ch
                              for ch in cut))
        pieces.append(rng.choice(["", " ", "Σ", "\u0307", "x"]))
    return "".join(pieces)


@pytest.mark.parametrize("index", range(len(_WORD_SETS)))
def test_any_word_matches_the_re_i_alternation(index: int) -> None:
    words = _WORD_SETS[index].words
    original = {0: datefields._PUBLISH_CJK + datefields._PUBLISH_NAMES,
                1: datefields._UPDATE_CJK + datefields._UPDATE_NAMES}.get(index, words)
    rng = random.Random(13 + index)
    for _ in range(4000):
        text = _odd_text(rng, tuple(original))
        assert _WORD_SETS[index].search(text) == _any_word_plain(tuple(original), text), repr(text)
    for path in PAGES:
        page = Page.from_bytes(path.read_bytes(), "http://example.com/a.html")
        assert _WORD_SETS[index].in_lowered(page.body_lower) == _any_word_plain(tuple(original), page.body_string)


def test_any_word_folds_every_character_re_i_reads_as_a_letter_of_the_words() -> None:
    """Over every code point: a character that re.I matches to a letter of the label words is
    one that the lowering and folding of AnyWord turn into that letter."""
    for any_word in _WORD_SETS[:3]:
        letters = sorted({ch for word in any_word.words for ch in word})
        anything = re.compile("[" + re.escape("".join(letters)) + "]", re.I)
        fold = any_word._fold
        for point in range(0x110000):
            ch = chr(point)
            if 0xD800 <= point <= 0xDFFF or not anything.fullmatch(ch):
                continue
            lowered = ch.replace("\u0130", "i").lower().translate(fold)
            for letter in letters:
                assert (re.fullmatch(re.escape(letter), ch, re.I) is not None) == (lowered == letter), (ch, letter)


_HREF_PIECES = [*"ab/.?#;:[]%@=&-_~ \\", "/", "/", "?#", "/a", "../", "http://", "https://", "HTTP://", "//", "..",
                "./", "\t", "\n", "é", "x.com", ":80", "mailto:", "javascript:"]
_BASES = ["http://ex.com/a/b.html", "https://ex.com:8443/a/", "http://u:p@ex.com", "http://ex.com/a;p?q#f",
          "http://ex.com?x", "https://ex.com/a/b/../c", "http://[::1]:80/x", "HTTP://Ex.com/x", "http://ex.com/a b",
          "ftp://ex.com/x", "http:///x", "http://ex.com/é", "http://ex.com//double/", "https://ex.com/a]"]


def _joined(join: Callable[[str, str], str], base: str, href: str) -> str:
    try:
        return join(base, href)
    except ValueError as exc:  # urljoin refuses some hosts ("[::1" unclosed): the fast form must too
        return f"ValueError: {exc}"


def test_join_url_matches_urljoin_on_made_up_hrefs() -> None:
    rng = random.Random(7)
    for _ in range(40_000):
        base = rng.choice(_BASES)
        href = "".join(rng.choice(_HREF_PIECES) for _ in range(rng.randint(0, 9)))
        assert _joined(join_url, base, href) == _joined(urljoin, base, href), (base, href)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_join_url_matches_urljoin_on_every_link_of_the_fixture_pages(path: Path) -> None:
    page = Page.from_bytes(path.read_bytes(), "https://www.example.com/news/2024/05/03/story.html?id=7")
    hrefs = [h.strip() for h in page.tree.xpath("//a/@href | //img/@src | //link/@href")]
    assert hrefs
    for base in (page.url, "http://ex.com/", "https://ex.com/a/b/"):
        for href in hrefs:
            assert _joined(join_url, base, href) == _joined(urljoin, base, href), (base, href)


_JUNK_SAMPLES = ("Join us on WhatsApp for the latest news", "Folge uns auf Telegram!",
                 "Please read our privacy policy.", "Lesen Sie unsere Datenschutzerklärung",
                 "Consulta nuestra política de privacidad", "You can unsubscribe at any time.",
                 "Du kannst dich jederzeit wieder abmelden", "Our YouTube channel", "Síguenos en el canal de WhatsApp",
                 "扫描下方二维码关注我们", "下载客户端看更多", "长按识别", "关注我们的公众号", "【点击查看】更多精彩",
                 "Advertisement", "ANZEIGE – Jetzt kaufen", "Share this article", "3 of 12")


def _fixture_lines() -> list[str]:
    """Every non-empty line of the fixture pages' body text."""
    lines: list[str] = []
    for path in PAGES:
        page = Page.from_bytes(path.read_bytes(), "http://example.com/a.html")
        lines += [line.strip() for line in page.body_string.splitlines() if line.strip()]
    return lines


def test_is_junk_line_matches_the_whole_pattern() -> None:
    """``is_junk_line`` tries the phrase alternatives only on lines holding one of their words;
    the answer is ``JUNK_LINE.match`` on every line of the fixture pages and on phrase lines
    bent the ways re.I reads (case, İ ı ſ, cut words)."""
    from crawler.parsing.boilerplate import JUNK_LINE, is_junk_line

    lines = [*_JUNK_SAMPLES, *_fixture_lines()]
    rng = random.Random(29)
    lines += [_odd_text(rng, _JUNK_SAMPLES) for _ in range(6000)]
    lines += [sample + tail for sample in _JUNK_SAMPLES for tail in ("", " ", ".", "\n", " x", "!!")]
    matched = 0
    for line in lines:
        expected = JUNK_LINE.match(line) is not None
        matched += expected
        assert is_junk_line(line) == expected, repr(line)
    assert matched > 40  # the samples and pages do reach the phrase alternatives


_DATE_SAMPLES = ("2023-11-02", "2023年11月02日 10:30", "11-02", "3.9.2017", "9. September 2017", "15 августа 2016",
                 "Monday, March 14, 2009", "14 de marzo de 2009 12:00:01", "March 14 2009", "Posted March 14",
                 "le 5 juin 2019", "١٤ مارس ٢٠٠٩", "14 März", "Mittwoch, 3. Mai 2023, 10:00")


def test_is_date_line_matches_the_pattern() -> None:
    """``is_date_line`` looks for a digit before trying ``DATE_LINE`` (every form of it holds
    one: ASCII or any other script's digits); the answer is ``DATE_LINE.match`` on every line
    of the fixture pages and on date lines cut and bent."""
    from crawler.parsing.boilerplate import _is_date_line_plain, is_date_line

    lines = [*_DATE_SAMPLES, *_fixture_lines()]
    rng = random.Random(31)
    lines += [_odd_text(rng, _DATE_SAMPLES) for _ in range(6000)]
    matched = 0
    for line in lines:
        expected = _is_date_line_plain(line)
        matched += expected
        assert is_date_line(line) == expected, repr(line)
    assert matched > 20  # the samples and pages do reach the pattern


def test_label_search_matches_the_pattern_alone() -> None:
    """``datefields._label`` tries a label pattern only on texts holding one of its words: the
    match is the pattern's own on header-like pieces, label words bent the ways re.I reads."""
    d = datefields
    pairs = [(d._PUBLISH_LABEL, d._PUBLISH_WORDS, d._PUBLISH_CJK + d._PUBLISH_NAMES),
             (d._UPDATE_LABEL, d._UPDATE_WORDS, d._UPDATE_CJK + d._UPDATE_NAMES),
             (d._DATE_LABEL, d._DATE_WORDS, d._DATE_LABEL_WORDS)]
    for number, (pattern, words, spelled) in enumerate(pairs):
        rng = random.Random(37 + number)
        texts = [_odd_text(rng, tuple(spelled)) + rng.choice(["", ": 2020-01-02", " am 3. Mai", "：10-08 12:00"])
                 for _ in range(5000)]
        found = 0
        for text in texts:
            got = datefields._label(pattern, words, text, datefields.lowered_for_words(text))
            expected = pattern.search(text)
            found += expected is not None
            assert (got.span() if got else None) == (expected.span() if expected else None), repr(text)
        assert found > 500, number


def test_is_title_matches_the_whole_normalised_text() -> None:
    """``_is_title`` normalises a prefix first and stops when that is already longer than every
    key; the answer is the plain form's on blocks that are, start with, or run past the title."""
    from crawler.parsing.body.trim import _is_title, _is_title_plain, _norm

    rng = random.Random(41)
    titles = ["Stiobir is and Chousjer Came did of Thorcio", "北京发布最新通知", "Ein Titel: mit İ und ſ",
              "Short", "Ünïcödé ΣΑΣ title — with dashes"]
    for _ in range(4000):
        title = rng.choice(titles)
        keys = [k for k in (_norm(title), _norm(rng.choice(titles))) if len(k) >= 4]
        pad = "".join(rng.choice(ODD + "abc .,-") for _ in range(rng.randint(0, 400)))
        text = rng.choice([title, title + pad, pad + title, title[: rng.randint(0, len(title))], pad,
                           (title + " ") * rng.randint(1, 6)])
        kind = rng.choice(["p", "h2", "li"])
        assert _is_title(text, kind, keys) == _is_title_plain(text, kind, keys), (text, kind, keys)


def test_hidden_class_matches_the_pattern() -> None:
    """``markup._hidden_class`` reads an ASCII class as tokens; the answer is ``HIDDEN_CLASS``'s
    on every class of the fixture pages and on the pattern's words bent, glued and spaced."""
    from crawler.parsing.body.markup import _HIDDEN_WORDS, _hidden_class, _hidden_class_plain

    assert _HIDDEN_WORDS and "hidden" in _HIDDEN_WORDS  # the pattern still has the shape the fast path reads
    classes: list[str] = []
    for path in PAGES:
        tree = lxml.html.fromstring(path.read_bytes())
        classes += [el.get("class") for el in tree.iter() if isinstance(el.tag, str) and el.get("class")]
    words = tuple(sorted(_HIDDEN_WORDS))
    rng = random.Random(43)
    spaces = (" ", "\t", "\n", "\x0b", "\x1c", "\x1f", "\xa0", "\u3000", "\u2028", "-", "_", "x", "")
    for _ in range(20000):
        parts = []
        for _ in range(rng.randint(0, 4)):
            word = rng.choice(words) if rng.random() < 0.7 else rng.choice(["show", "collapse", "a", "hiddenx"])
            parts.append("".join(rng.choice([ch, ch.upper(), "\u0130", "\u0131", "\u017f", "\u212a"])
                                 if rng.random() < 0.1 else ch for ch in word))
            parts.append(rng.choice(spaces))
        classes.append(rng.choice(spaces) + "".join(parts))
    hidden = 0
    for cls in classes:
        expected = _hidden_class_plain(cls)
        hidden += expected
        assert _hidden_class(cls) == expected, repr(cls)
    assert hidden > 1000


def test_scanned_elements_are_not_hidden() -> None:
    """The blocks walk skips ``is_hidden`` for an element the body scan walked (``Emitter._hidden``):
    no element of the scan's stats is hidden, read attribute by attribute, on the fixture pages;
    and the attributes read as one dict (``_droppable``, ``_image``) are those ``el.get`` reads."""
    from crawler.parsing.body.markup import is_hidden
    from crawler.parsing.body.score import Scan

    hidden = 0
    for path in PAGES:
        page = Page.from_bytes(path.read_bytes(), "http://example.com/a.html")
        for mute in (True, False):
            scan = Scan(mute_furniture=mute)
            scan.run(page.tree)
            assert not any(is_hidden(el) for el in scan.stats), path.name
        for el in page.tree.iter():
            if isinstance(el.tag, str):
                get = dict(reversed(el.items())).get
                assert all(get(name) == el.get(name) for name in el.keys()), path.name
                hidden += is_hidden(el)
    assert hidden > 100  # the pages do hold hidden elements the scan leaves out


_TRIM_SAMPLES = ("Abbildung 2: Der Hafen", "FIG. 3. A map", "ſchaubild: x", "Der Hafen (Foto: Jane Doe / AFP)",
                 "Der Hafen | © Jane Doe / Reuters", "[Bild: X / iStock] ", "Sign up for our newsletter today!",
                 "Melde dich für unseren NEWSLETTER an", "Suscríbete a nuestro boletín",
                 "Recibe el BOLETÍN informativo", "Inscrivez-vous à notre infolettre",
                 "Meld je aan voor de nieuwsbrief", "…美好生活需要。(文/图 刘玺东)",
                 "…趋稳趋优。（德清县发改局） ", "It ended. (Reporter: Jane Doe)\n", "Grafik: ")


def test_trim_line_tests_match_their_patterns() -> None:
    """The trim stage's pre-tests: ``_is_caption_line`` (``match`` on a line without ``(``, ``[``
    or ``©``), ``_is_newsletter_line`` (the pattern only on a line holding a newsletter word),
    the closing bracket TRAILING_ATTRIBUTION needs, and ``_norm_len`` (word bytes of ASCII
    text): the patterns' own answers on every fixture line and on sample lines bent."""
    from crawler.parsing.body.trim import (
        _is_caption_line,
        _is_caption_line_plain,
        _is_newsletter_line,
        _is_newsletter_line_plain,
        _norm,
        _norm_len,
    )
    from crawler.parsing.boilerplate import TRAILING_ATTRIBUTION

    rng = random.Random(47)
    lines = [*_TRIM_SAMPLES, *_fixture_lines()]
    lines += [_odd_text(rng, _TRIM_SAMPLES) for _ in range(6000)]
    lines += [sample + tail for sample in _TRIM_SAMPLES for tail in ("", " ", ".", "\n", " x", ")", "\u3000")]
    lines += ["".join(rng.choice("aZ09_ .,;:-()[]©|/\t\n\x1c\x7f") for _ in range(rng.randint(0, 300)))
              for _ in range(3000)]
    found = [0, 0, 0]
    for line in lines:
        caption = _is_caption_line_plain(line)
        newsletter = _is_newsletter_line_plain(line)
        attributed = TRAILING_ATTRIBUTION.search(line) is not None
        found = [found[0] + caption, found[1] + newsletter, found[2] + attributed]
        assert _is_caption_line(line) == caption, repr(line)
        assert bool(_is_newsletter_line(line)) == newsletter, repr(line)
        assert not attributed or line.rstrip().endswith((")", "）")), repr(line)
        assert _norm_len(line) == len(_norm(line)), repr(line)
    assert min(found) > 20  # the samples do reach every pattern


def test_caption_like_reads_no_empty_attribute() -> None:
    """``images.caption_like`` skips an element without attributes: none of its patterns
    matches an empty value."""
    from crawler.parsing.body import images

    for pattern in (images._CAPTION_STYLE, images._CENTER_ATTR, images._CAPTION_ATTR):
        assert pattern.search("") is None


def test_signature_matches_the_sorted_bins() -> None:
    from storage import neardup

    rng = random.Random(11)
    texts = ["", " ", "a", "abc", "abcd", "abcde", "The quick brown fox.", "中文测试", "\U0010ffff" * 5,
             *(path.read_text("utf-8", "replace")[:3000] for path in PAGES[::7])]
    texts += ["".join(rng.choice("ab cdé中文\u0130K") for _ in range(rng.randint(0, 400))) for _ in range(1500)]
    for text in texts:
        for num_perm in (1, 7, 128, 200):
            p = neardup.LshParams(num_perm=num_perm)
            assert neardup.signature(text, p) == neardup._signature_plain(text, p), (text, num_perm)


_SPLIT_SETS = [_LABEL_WORDS, datefields._DATE_WORDS, AnyWord("tl;dr", "摘要", "Kw", "ıs", "导读", ""),
               AnyWord("summary", "核心提示"), datefields._PUBLISH_WORDS, AnyWord("a?b", "x"), AnyWord("ab摘", "c")]


@pytest.mark.parametrize("index", range(len(_SPLIT_SETS)))
def test_body_has_any_matches_the_lowered_body(index: int) -> None:
    words = _SPLIT_SETS[index]
    rng = random.Random(29 + index)
    for _ in range(4000):
        text = _odd_text(rng, words.words) + rng.choice(["", "é", "中", "?", "\u212a", "ſ"])
        if words.splits(text):
            assert words.in_split(text, text.encode("ascii", "replace").lower()) == words.search(text), repr(text)
    htmls = [path.read_bytes() for path in PAGES] + [
        "<html><body><p>SUMMARY</p>é</body></html>", "<html><body><p>Sum\u212aary tl;DR</p></body></html>",
        "<html><body><p>ſummary</p></body></html>", "<html><body><p>摘 要 Ab?tract 中</p></body></html>"]
    for html in htmls:
        page = Page.from_bytes(html, "http://example.com/a.html")
        assert page.body_has_any(words) == page._body_has_any_plain(words)


def test_nothing_lowers_to_a_caseless_letter_or_to_ascii_but_the_unsplittable() -> None:
    """What AnyWord.in_split rests on: lower() keeps every Lo letter, makes none from another
    character, and makes an ASCII letter from no character beyond ASCII but İ and K; and
    none lowers to ı or ſ (re.I's other i and s)."""
    for point in range(0x110000):
        ch = chr(point)
        lowered = ch.lower()
        if unicodedata.category(ch) == "Lo":
            assert lowered == ch
        if lowered != ch:
            assert not any(unicodedata.category(c) == "Lo" for c in lowered), ch
            assert ch.isascii() or ch in "\u0130\u212a" or not any(c.isascii() for c in lowered), ch
            assert not any(c in "\u0131\u017f" for c in lowered), ch


def test_any_matches_words_pretest_matches_the_regex_alone() -> None:
    from crawler.parsing.counts import _COUNT_HINT_LOWER, _COUNT_HINT_WORDS
    from crawler.parsing.tree import any_matches

    rng = random.Random(41)
    pieces = ["评论", "評論", "comment", "pinglun", "#comments", "阅读", "浏览", "view", "views", "viewsx", "Views",
              "COMMENT", "vıew", "pınglun", "\u0130", "ſ", "K", "/a", " ", "x", "-", "?"]
    for _ in range(5000):
        values = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(0, 4))]
        assert any_matches(values, _COUNT_HINT_LOWER, ignorecase=True, words=_COUNT_HINT_WORDS) == any_matches(
            values, _COUNT_HINT_LOWER, ignorecase=True), values
    for path in PAGES:
        tree = Page.from_bytes(path.read_bytes(), "http://example.com/a.html").tree
        for expr in ("//body//*/@title", "//body//*/@href", "//body//*/@class"):
            values = tree.xpath(expr, smart_strings=False)
            assert any_matches(values, _COUNT_HINT_LOWER, ignorecase=True, words=_COUNT_HINT_WORDS) == (
                _COUNT_HINT.search("\0".join(values)) is not None)


def test_from_meta_matches_the_pairs() -> None:
    from crawler.parsing.tags import _from_meta, _from_meta_plain

    htmls = [path.read_bytes() for path in PAGES] + [
        '<html><head><meta property="ARTICLE:TAG" content="a"><meta name="article:tag" content="b">'
        '<meta property="" name="article:tag" content="c"><meta property="og:x" name="article:tag" content="d">'
        '<meta property="article:tag" content=""><meta property="article:tag" content="  ">'
        '<meta property="article:tag"><meta property=" article:tag" content="e"></head>'
        '<body><meta property="Article:Tag" content="f"></body></html>',
    ]
    for html in htmls:
        page = Page.from_bytes(html, "http://example.com/")
        assert _from_meta(page) == _from_meta_plain(page)
