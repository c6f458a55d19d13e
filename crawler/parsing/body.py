"""Article body extraction: clean text blocks, the same blocks as simple HTML, and images.

Stages (each reads the shared ``page.tree`` and never modifies it):

1. **Container.** A site-profile CSS ``selector`` wins when it matches. Otherwise one
   pass over the tree scores containers readability-style: every paragraph (a ``<p>``,
   or text written straight into a ``<div>``, ``<br>``-separated or not) gives its parent
   a score from its length and punctuation, half of it to the grandparent; scores are
   weighted by class/id words (``share``, ``comment`` down; ``article``, ``content`` up)
   and by link density. The best container wins (a box beside nothing but its own
   heading or empty furniture climbs to its parent: card layouts put each section in
   its own card); siblings that score nearly as well, or look like plain paragraphs
   with few links, join it; teaser-card grids never do.
2. **Blocks.** The container is walked in document order: paragraphs, headings, list
   items, blockquotes, ``<pre>`` and figure captions become blocks; ``<br>`` splits a
   block. Hidden nodes (``display:none``, ``hidden``, Bootstrap's folded ``collapse``),
   forms, navigation, asides, scripts, credit boxes and class/id-marked furniture (share
   bars, related lists, comments, author bios, consent, donation and newsletter boxes) are
   skipped, and so are link-heavy lists and boxes, linked teaser boxes and grids of teaser
   cards. Image alt text never becomes text; ``<rt>`` furigana never either; a drop cap set
   in a box of its own joins the word it starts. Each block also keeps its inline links
   (absolute ``href``) and emphasis for ``body_html``.
3. **Lines and edges.** Anywhere: ad and widget lines, date-only and date-stamp lines,
   one-line promos in many languages ("READ MORE: ...", "Lea también: ...", "Les også:"),
   teaser lines ending in a "more" link, picture credits ("Image copyright EPA", "© X/Agency";
   a real caption only loses its trailing credit) and captions written as paragraphs
   ("Abbildung: ...", "... (X / iStock.com)"). At the end: an
   editor line (责任编辑), disclaimer, copyright, tag list, wire credits ("Reporting by
   ...") cut the rest; promotional end matter ("Subscribe to ...") cuts it too unless
   running text follows, which makes it an inset. At both edges: reporter and source
   lines (新京报记者 X, 来源：网络, 【文/X】) and, glued to the last sentence, a bracketed
   credit ("。(文/图 X)", "。（德清县发改局）"). At the start: the title, its ``原标题``
   line, bylines and post-meta lines; a summary box (a "Key Points" / "Highlights" /
   "划重点" / "要点" / "核心提示" label over a short list or box, or "核心提示：…" inline),
   which restates the article rather than opening it; and the lead picture's caption
   when the markup names it a caption (it stays on the image).

Images are the ``<img>`` of the kept container with absolute ``src``; the caption is
the ``<figcaption>`` or, as on many Chinese pages, a short centred/grey/small paragraph
right after an image-only paragraph (that caption also stays a text block).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from crawler.parsing.boilerplate import (
    CAPTION_LABEL,
    CAPTION_LINE,
    CREDIT_ATTR,
    CREDIT_LINE,
    DATE_LINE,
    EDGE_LINE,
    END_MARKER,
    GALLERY_ATTR,
    HIDDEN_CLASS,
    HIDDEN_STYLE,
    JUNK_LINE,
    PROMO_LINE,
    RELATED_LABEL,
    SOFT_END_MARKER,
    START_MARKER,
    SUMMARY_LABEL,
    TRAILING_ATTRIBUTION,
    TRAILING_CREDIT,
    TRAILING_JUNK,
    attr_weight,
)
from crawler.parsing.page import Page, search_ignorecase, squash
from crawler.parsing.record import Image


@dataclass(slots=True)
class Body:
    """The article body: clean text blocks, the same blocks as HTML, and images."""

    blocks: list[str] = field(default_factory=list)
    html: str | None = None
    images: list[Image] = field(default_factory=list)
    #: paragraph text of the whole page (CJK counted twice) outside furniture, 0 when unknown
    #: (a profile selector chose the box): with the kept text's length it says how sure
    #: the container choice is (a body holding a small share of the page's prose may be
    #: one part of an article split over boxes the scoring did not join)
    page_prose: int = 0
    #: how the blocks were found: "own" (the density scoring), or the second opinion's name
    source: str = "own"


# --- tag classes -------------------------------------------------------------------------

_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
    "svg", "math", "button", "input", "select", "option", "textarea", "label",
    "nav", "aside", "object", "embed", "canvas", "video", "audio", "map", "dialog", "menu",
    "footer", "header", "source", "track", "picture-source",
    "rt", "rp",  # ruby annotations (furigana) and their fallback brackets: not the sentence's text
})
_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "wbr", "big", "strike", "tt", "ins", "del", "nobr", "acronym", "img", "picture", "br",
    "ruby", "rb",
})
_TEASER_ATTR = re.compile(r"teaser", re.I)
#: class words of a drop cap: the first letter of the article set in its own (block) box
_DROP_CAP_ATTR = re.compile(r"drop-?cap|dropcap|initial|first-?letter|versal", re.I)
#: paragraph-like elements: their text scores their parent.
_PARA_TAGS = frozenset({"p", "pre", "td", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LIST_TAGS = frozenset({"ul", "ol", "dl"})
_TAG_BASE = {
    "div": 5, "article": 8, "section": 3, "main": 3, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5, "body": -5,
}

_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_COMMAS = re.compile(r"[,，、;；。]")
_IMG_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url",
                  "data-original-src", "data-hi-res-src", "src")
_CAPTION_ATTR = re.compile(r"caption|desc|note|credit|pic-?text|img-?text|imgtxt|pictext|tuzhu|"
                           r"legend|photo-?text", re.I)
_CAPTION_STYLE = re.compile(r"text-align\s*:\s*center|(?<![-\w])color\s*:|font-size\s*:|italic", re.I)
_CENTER_ATTR = re.compile(r"center", re.I)
#: class words of a picture's caption box ("wp-caption-text", "legend", "bildunterschrift")
_CAPTION_BOX = re.compile(r"caption|(?:^|[\s_-])legend(?:$|[\s_-])|bildunterschrift|bu-text", re.I)
#: inline tags kept in ``body_html`` (nh3 sanitises it again downstream)
_EMPHASIS = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}
_EMPTY_INLINE = re.compile(r"<(a|strong|em)\b[^>]*>\s*</\1>")
#: white space just inside a tag moves out of it ("<a> x </a>" -> " <a>x</a> ")
_SPACE_IN_TAG = re.compile(r"(<(?:a|strong|em)\b[^>]*>)( ?)(.*?)( ?)(</(?:a|strong|em)>)")


def _space_out(m: re.Match[str]) -> str:
    return f"{m.group(2)}{m.group(1)}{m.group(3)}{m.group(5)}{m.group(4)}"


def _wlen(text: str) -> int:
    """Length with CJK characters counted twice (one CJK character carries about a word).

    ASCII text (tested in C) has no CJK; otherwise runs are matched, not single characters,
    so a Chinese paragraph is a few matches rather than one per character."""
    if not text or text.isascii():
        return len(text) if text else 0
    return len(text) + sum(map(len, _CJK_RUN.findall(text)))


def _commas(text: str) -> int:
    """How many of the clause marks in ``_COMMAS`` the text holds (ASCII has only , and ;)."""
    if text.isascii():
        return text.count(",") + text.count(";")
    return len(_COMMAS.findall(text))


def _is_hidden(el: Any, get: Callable[[str], str | None] | None = None) -> bool:
    """``get``: the element's attributes, when the caller has read them already."""
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
    if search_ignorecase(HIDDEN_CLASS, cls):
        return True
    # Bootstrap's ``collapse`` is display:none until a click adds ``show`` (``in`` in v3):
    # team lists, letters and "read the letter" panels sit folded inside the article box;
    # its ``modal`` dialog too (disclosures, citation and sharing dialogs) until one opens it
    return (("collapse" in cls or "modal" in cls) and _COLLAPSED.search(cls) is not None
            and _SHOWN.search(cls) is None)


_COLLAPSED = re.compile(r"(?:^|\s)(?:collapse|modal)(?:$|\s)")
_SHOWN = re.compile(r"(?:^|\s)(?:show|in|open|active|expanded)(?:$|\s)")


def _attrs(el: Any) -> str:
    cls, ident = el.get("class"), el.get("id")
    if cls and ident:
        return cls + " " + ident
    return cls or ident or ""


# --- stage 1: scoring --------------------------------------------------------------------


class _Scan:
    """One pass over the tree: text and link-text length of every element, paragraph scores."""

    __slots__ = ("tlen", "llen", "good", "paras", "score", "order", "mute_furniture")

    def __init__(self, mute_furniture: bool = True) -> None:
        self.tlen: dict[Any, int] = {}
        self.llen: dict[Any, int] = {}
        self.good: dict[Any, int] = {}
        self.paras: dict[Any, int] = {}
        self.score: dict[Any, float] = {}
        self.order: list[Any] = []
        self.mute_furniture = mute_furniture

    def run(self, root: Any) -> None:
        self._walk(root, False, False)

    def _walk(self, el: Any, in_link: bool, muted: bool) -> tuple[int, int, int, int]:
        """Text, link text and paragraph text lengths of ``el``, and its paragraph count.

        Paragraphs score their containers unless ``muted``.

        Paragraphs inside furniture (a ``comments`` or ``related`` box) do not score, so
        a long comment thread cannot outbid the article (readability removes such boxes).
        """
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            return 0, 0, 0, 0
        # All attributes in one call, not up to six el.get (each parses the name for a
        # namespace); reversed, so a repeated name keeps its first value, as el.get does.
        items = el.items()
        get = dict(reversed(items)).get if items else None
        if get is not None and _is_hidden(el, get):
            return 0, 0, 0, 0
        if (get is not None and not muted and self.mute_furniture and tag not in _INLINE_TAGS
                and tag not in ("body", "html")):
            cls, ident = get("class"), get("id")
            attrs = cls + " " + ident if cls and ident else cls or ident or ""
            if attrs and attr_weight(attrs) == -2:
                muted = True
        is_link = in_link or tag == "a"
        text = el.text
        own = _wlen(text.strip()) if text and not text.isspace() else 0
        total = own
        own_links = links = own if is_link else 0
        good = paras = 0
        commas = _commas(text) if own else 0
        has_block = False
        for child in el:
            ctag = child.tag
            if not isinstance(ctag, str):
                ct = cl = cg = cp = 0
            else:
                ct, cl, cg, cp = self._walk(child, is_link, muted)
            total += ct
            links += cl
            good += cg
            paras += cp
            if isinstance(ctag, str) and ctag not in _INLINE_TAGS:
                if ct:
                    has_block = True
            elif ct:
                own += ct
                own_links += cl
            tail = child.tail
            if tail and not tail.isspace():
                n = _wlen(tail.strip())
                own += n
                total += n
                if is_link:
                    links += n
                    own_links += n
                commas += _commas(tail)
        if not muted and own >= 25 and tag not in _INLINE_TAGS and tag not in _HEADINGS and tag != "li":
            if own_links < own * 0.3:
                good += own
                paras += 1
            # a paragraph: plain <p>-like tags and text-only boxes score their parent,
            # boxes that mix text with blocks (text between <br>s beside <div>s) score themselves
            points = 1 + commas + min(own // 100, 3)
            target = el.getparent() if tag in _PARA_TAGS or not has_block else el
            level = 0
            while target is not None and level < 2 and target.tag != "html":
                if target not in self.score:
                    self.score[target] = self._initial(target)
                    self.order.append(target)
                self.score[target] += points / (1 if level == 0 else 2)
                target = target.getparent()
                level += 1
        self.tlen[el] = total
        self.llen[el] = links
        self.good[el] = good
        self.paras[el] = paras
        return total, links, good, paras

    @staticmethod
    def _initial(el: Any) -> float:
        weight = attr_weight(_attrs(el))
        return _TAG_BASE.get(el.tag, 0) + 25 * max(-1, weight)

    def final(self, el: Any) -> float:
        total = self.tlen.get(el, 0)
        density = self.llen.get(el, 0) / total if total else 1.0
        score = self.score[el]
        good = total - self.llen.get(el, 0)
        if good < _FULL_BONUS and score > 25 and attr_weight(_attrs(el)) > 0:
            score -= 25 * (1 - good / _FULL_BONUS)
        return score * (1 - density)


_FULL_BONUS = 400


def _best(scan: _Scan) -> Any:
    """The top container, moved up when the article is split over several boxes."""
    finals = {el: scan.final(el) for el in scan.order}
    ranked = sorted(scan.order, key=finals.__getitem__, reverse=True)
    top = ranked[0]
    top_score = finals[top]
    # several near-best boxes under one ancestor: the article is that ancestor
    alternatives = [el for el in ranked[1:6] if finals[el] >= 0.75 * top_score]
    if alternatives:
        # three near-best boxes anywhere, or one or two close by (within 3 levels)
        wanted = min(3, len(alternatives))
        alt_ancestors = [set(el.iterancestors()) for el in alternatives]
        for level, parent in enumerate(top.iterancestors()):
            if parent.tag in ("body", "html") or (wanted < 3 and level >= 3):
                break
            if sum(parent in anc for anc in alt_ancestors) >= wanted:
                top = parent
                break
    # climb while the parent scores better (paragraph score spread over two levels)
    last = finals.get(top, top_score)
    threshold = last / 3
    parent = top.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        if parent not in finals:
            parent = parent.getparent()
            continue
        score = finals[parent]
        if score < threshold:
            break
        if score > last:
            top = parent
            break
        last = score
        parent = parent.getparent()
    # an only child says nothing: its parent is the box. A box beside nothing but its
    # own heading ("Origin" over the text in a card) or empty furniture is an only child
    # too: the card is the section, and its siblings are the article's other sections.
    parent = top.getparent()
    while parent is not None and parent.tag not in ("body", "html") and _only_child(top, parent, scan):
        top, parent = parent, parent.getparent()
    return top


def _only_child(el: Any, parent: Any, scan: _Scan) -> bool:
    """True when ``el`` is the only child of ``parent`` that holds text other than a heading."""
    before = True
    for child in parent:
        if child is el:
            before = False
            continue
        if not isinstance(child.tag, str):
            continue
        if child.tag in _HEADINGS and scan.tlen.get(child, 0) < 80:
            continue
        if not scan.tlen.get(child, 0) and (child.tag in _SKIP_TAGS or attr_weight(_attrs(child)) < 0
                                            or (before and next(child.iter("img"), None) is None)):
            continue  # an empty footer, ad slot or layout box
        return False
    return True


def _is_card_list(el: Any, scan: _Scan) -> bool:
    """A grid of teaser cards: three or more same-class children, each a picture and a line.

    Related, recommended and members-only boxes are built this way (thumbnail, headline,
    date), often with script-driven clicks instead of links, so link density misses them;
    an article's own figures are not short same-class siblings that carry a headline each.
    """
    classes: dict[str, int] = {}
    cards = 0
    for child in el:
        cls = child.get("class") if isinstance(child.tag, str) else None
        if not cls:
            continue
        n = classes[cls] = classes.get(cls, 0) + 1
        if n == 3:
            cards = 0
            for sib in el:
                if isinstance(sib.tag, str) and sib.get("class") == cls:
                    if not 0 < scan.tlen.get(sib, 0) < 120 or next(sib.iter("img"), None) is None:
                        return False
                    cards += scan.tlen.get(sib, 0)
            return cards >= 0.6 * scan.tlen.get(el, 1)
    return False


def _containers(page: Page, scan: _Scan) -> list[Any]:
    """The best-scoring container, plus siblings that belong to the article."""
    if not scan.order:
        body = page.tree.body
        return [body] if body is not None else []
    top = _best(scan)
    finals = {el: scan.final(el) for el in scan.order}
    top_score = finals.get(top, 0.0)
    parent = top.getparent()
    if parent is None or top.tag == "body":
        return [top]
    threshold = max(10.0, top_score * 0.3)
    top_attrs = top.get("class")
    kept = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is top:
            kept.append(sib)
            continue
        if sib.tag in _SKIP_TAGS or _is_hidden(sib) or attr_weight(_attrs(sib)) < 0 or _is_card_list(sib, scan):
            continue
        bonus = top_score * 0.2 if top_attrs and sib.get("class") == top_attrs else 0.0
        tlen = scan.tlen.get(sib, 0)
        good = scan.good.get(sib, 0)
        if sib in finals and finals[sib] + bonus >= threshold:
            kept.append(sib)
        elif (good >= 50 and good >= 0.6 * tlen and good >= 80 * scan.paras.get(sib, 1)
              and scan.llen.get(sib, 0) < 0.25 * tlen):
            # mostly paragraphs: the article goes on in a sibling box. Not when a third of
            # it is links: that is a teaser list (linked headline + one-line summary each)
            kept.append(sib)
        elif sib.tag == "p":
            tlen = scan.tlen.get(sib, 0)
            density = scan.llen.get(sib, 0) / tlen if tlen else 1.0
            if (tlen > 80 and density < 0.25) or (0 < tlen <= 80 and density == 0):
                kept.append(sib)
    return kept


# --- stage 2: blocks ---------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    kind: str          # p, h2.., li, blockquote, pre, figcaption
    text: str
    group: Any = None  # the list/blockquote element, to group <li>/<blockquote> in HTML
    list_tag: str = "ul"
    source: Any = None  # the element whose text this is
    link_share: float = 0.0  # share of the text inside <a>
    html: str | None = None  # the same text with its inline links and emphasis
    lead_caption: bool = False  # the lead picture's caption: out of the text, kept on the image


@dataclass(slots=True)
class _Pic:
    src: str
    alt: str | None
    caption: str | None
    after: int          # number of blocks emitted before the image
    block_el: Any       # the block element holding the image


class _Emitter:
    def __init__(self, page: Page, scan: _Scan | None) -> None:
        self.page = page
        self.scan = scan
        self.blocks: list[_Block] = []
        self.pics: list[_Pic] = []
        self.buf: list[str] = []
        self.buf_links = 0
        self.link_depth = 0
        self.kind = "p"
        self.group: Any = None
        self.list_tag = "ul"
        self.source: Any = None
        self.seen_src: set[str] = set()
        self.captions = True
        # the block's HTML beside its text: escaped text plus <a href>, <strong>, <em>;
        # ``inline`` holds the open inline tags, closed and reopened when a <br> or a
        # nested block splits them over two blocks
        self.hbuf: list[str] = []
        self.inline: list[tuple[str, str]] = []
        # a drop cap set in a block of its own: it joins the next text, not a block of one letter
        self.drop_cap = ""

    # text buffer --------------------------------------------------------------------
    def flush(self) -> None:
        if not self.buf:
            return
        text = squash("".join(self.buf))
        links, self.buf, self.buf_links = self.buf_links, [], 0
        hparts, self.hbuf = self.hbuf, [opening for _, opening in self.inline]
        if text:
            share = min(1.0, links / len(text))
            html = None
            hparts.extend(f"</{name}>" for name, _ in reversed(self.inline))
            joined = "".join(hparts)
            if "<" in joined:  # text is escaped: a "<" is one of our inline tags
                html = squash(_SPACE_IN_TAG.sub(_space_out, _EMPTY_INLINE.sub("", joined)))
            self.blocks.append(_Block(self.kind, text, self.group, self.list_tag, self.source, share, html))

    def add(self, text: str | None) -> None:
        if text and self.drop_cap and not text.isspace():
            text, self.drop_cap = self.drop_cap + text.lstrip(), ""
        if text:
            self.buf.append(text)
            self.hbuf.append(escape(text, quote=False))
            if self.link_depth:
                self.buf_links += len(text.strip())

    def _inline(self, el: Any, name: str, opening: str) -> None:
        """Walk an inline element whose tag the block HTML keeps (<a href>, <strong>, <em>)."""
        self.hbuf.append(opening)
        self.inline.append((name, opening))
        self._children(el)
        self.inline.pop()
        self.hbuf.append(f"</{name}>")

    # walking ------------------------------------------------------------------------
    def walk_root(self, el: Any) -> None:
        self.source = el
        self._children(el)
        self.flush()

    def _children(self, el: Any) -> None:
        self.add(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self._element(child)
            self.add(child.tail)

    def _is_credit(self, el: Any) -> bool:
        """A short credit box (``<span class="credit">Getty Images</span>`` in a caption)."""
        cls = el.get("class")
        if not cls or not search_ignorecase(CREDIT_ATTR, cls):
            return False
        scan = self.scan
        return scan is None or scan.tlen.get(el, 0) < 200

    def _droppable(self, el: Any, tag: str) -> bool:
        if tag in _SKIP_TAGS or _is_hidden(el) or self._is_credit(el):
            return True
        if tag == "form" and (self.scan is None or self.scan.tlen.get(el, 0) < 500
                              or el.find(".//textarea") is not None):
            return True
        attrs = _attrs(el)
        weight = attr_weight(attrs) if attrs else 0
        if weight == -2:
            return True
        scan = self.scan
        if scan is None:
            return weight < 0 and tag != "p"
        total = scan.tlen.get(el, 0)
        links = scan.llen.get(el, 0)
        density = links / total if total else 0.0
        if weight < 0 and tag != "p" and (total < 300 or density > 0.5):
            return True
        if density > 0.15 and total < 1500 and attrs and _TEASER_ATTR.search(attrs):
            return True  # a teaser card of another article (a linked one: a lead paragraph named so has no link)
        if attrs and total < 2000 and GALLERY_ATTR.search(attrs) and tag not in ("p", "body", "article", "main"):
            return True
        if tag in _LIST_TAGS or tag in ("div", "section", "table"):
            if total and density > 0.5 and (tag in _LIST_TAGS or total < 600):
                return True
            if total < 1500 and _is_card_list(el, scan):
                return True
        return False

    def _element(self, el: Any) -> None:
        tag = el.tag
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self._image(el)
            return
        if self._is_drop_cap(el):
            # "<div class=dropcap>T</div><p>he day began": the letter starts the next text
            # (an inline one with text right after it, "<span>T</span>he", needs no help)
            self.flush()
            self.drop_cap = el.text.strip()
            return
        if tag in _INLINE_TAGS:
            if _is_hidden(el) or self._is_credit(el):
                return
            if tag == "a":
                self.link_depth += 1
                href = self.page.absolute(el.get("href"))
                if href and href.startswith(("http://", "https://", "mailto:")):
                    self._inline(el, "a", f'<a href="{escape(href)}">')
                else:
                    self._children(el)
                self.link_depth -= 1
            elif tag in _EMPHASIS:
                self._inline(el, _EMPHASIS[tag], f"<{_EMPHASIS[tag]}>")
            else:
                self._children(el)
            return
        if self._droppable(el, tag):
            return
        if not self.captions and (tag == "figcaption" or _CAPTION_BOX.search(el.get("class") or "")):
            return
        # a block element: its text is a block (or several) of its own
        self.flush()
        saved = (self.kind, self.group, self.list_tag, self.source)
        if tag in _HEADINGS:
            self.kind = tag
        elif tag == "li" or tag in ("dd", "dt"):
            self.kind = "li"
            parent = el.getparent()
            self.group = parent
            self.list_tag = "ol" if parent is not None and parent.tag == "ol" else "ul"
        elif tag == "blockquote":
            self.kind = "blockquote"
            self.group = el
        elif tag == "pre":
            self.kind = "pre"
        elif tag == "figcaption":
            self.kind = "figcaption"
        elif self.kind not in ("li", "blockquote"):
            self.kind = "p"
        self.source = el
        if tag == "pre":
            text = "".join(el.itertext())
            for line in text.splitlines():
                self.add(line)
                self.flush()
        else:
            self._children(el)
        self.flush()
        self.kind, self.group, self.list_tag, self.source = saved

    @staticmethod
    def _is_drop_cap(el: Any) -> bool:
        """A box holding nothing but one or two letters that start the next text: marked as a
        drop cap by its class, or an upper-case letter right before a box whose text goes on
        in lower case ("<span>T</span><p>urkey, Poland ...")."""
        text = el.text
        if not text or len(el) or len(text) > 8:
            return False
        letter = text.strip()
        if not 0 < len(letter) <= 2 or not letter.isalpha():
            return False
        if (el.tail or "").strip() or _is_hidden(el):
            return False
        if not letter[0].isupper():
            attrs = _attrs(el)
            if not attrs or _DROP_CAP_ATTR.search(attrs) is None:
                return False
        # either way the word must go on in lower case right after it (initials before a
        # sentence, "<span class=initials>JD</span><p>The ...", are not a drop cap)
        nxt = el.getnext()
        if nxt is None or not isinstance(nxt.tag, str):
            return False
        first = next((t for t in nxt.itertext() if t.strip()), "").lstrip()
        return first[:1].islower()

    def _image(self, el: Any) -> None:
        if _is_hidden(el):
            return
        src = None
        for attr in _IMG_SRC_ATTRS:
            value = el.get(attr)
            if value and not value.strip().startswith("data:"):
                src = value
                break
        src = self.page.absolute(src)
        if not src or src in self.seen_src:
            return
        for dim in ("width", "height"):
            value = (el.get(dim) or "").strip().rstrip("px")
            if value.isdigit() and int(value) < 50:
                return
        self.seen_src.add(src)
        alt = squash(el.get("alt")) or None
        caption = None
        figure = next((a for a in el.iterancestors("figure")), None)
        if figure is not None:
            cap = figure.find(".//figcaption")
            if cap is not None:
                caption = squash("".join(cap.itertext())) or None
        pending = 1 if self.buf and "".join(self.buf).strip() else 0  # text before it in the block
        self.pics.append(_Pic(src, alt, caption, len(self.blocks) + pending, self.source))


# --- stage 3: edges ----------------------------------------------------------------------


def _norm(text: str) -> str:
    return _NONWORD.sub("", text).lower()


_NONWORD = re.compile(r"\W+")
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|words by|story by|von|par|por|di|door|av|af)\s+\S", re.I)
_DATELINE = re.compile(
    r"(?:\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b(?:published|updated|posted|modified)\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\b\d+\s+(?:minutes?|hours?|days?) ago\b|"
    r"小时前|分钟前|发布时间|發佈時間|来源[:：]|來源[:：])", re.I)
#: "05/10/2018 - Publicado por: X - Categoria: Y": a post's meta line in many languages
_POSTED_BY = re.compile(
    r"\b(?:posted|published|written|publicado|publicada|publié|pubblicato|veröffentlicht|"
    r"gepost|opublikowano)\s+(?:by|por|par|da|von|door|przez)\b|发布者|作者[:：]", re.I)


def _title_keys(page: Page, title: str | None) -> list[str]:
    keys = [title] if title else []
    if not title:
        keys += [page.meta.get("og:title"), page.meta.get("twitter:title")]
        found = page.tree.find(".//title")
        if found is not None and found.text:
            keys.append(found.text)
    return [k for k in (_norm(k) for k in keys if k) if len(k) >= 4]


def _is_title(text: str, kind: str, keys: list[str]) -> bool:
    norm = _norm(text)
    if not norm:
        return False
    for key in keys:
        if norm == key or (len(norm) >= 10 and key.startswith(norm)) or (kind in _HEADINGS and norm in key):
            return True
    return False


def _clean_caption(block: _Block) -> str:
    """A caption without its screen-reader label ("Image caption") and trailing credit."""
    text = CAPTION_LABEL.sub("", block.text)
    stripped = TRAILING_CREDIT.sub("", text)
    return stripped if len(stripped) >= 15 else text


def _is_credit_line(block: _Block, caption: bool) -> bool:
    """Only a picture credit ("Image copyright EPA", "Jane Doe/Reuters", "Getty Images")."""
    text = block.text
    if len(text) > 120 or block.kind in _HEADINGS:
        return False
    if not caption and len(text.split()) > 8:
        return False
    return CREDIT_LINE.match(text) is not None


def _is_promo(block: _Block) -> bool:
    """A one-line teaser for another article ("READ MORE: ...", "Also on example.com ...")."""
    return len(block.text) < 300 and block.kind not in _HEADINGS and PROMO_LINE.match(block.text) is not None


def _is_prose(block: _Block) -> bool:
    """A paragraph of running text, the kind that never follows the article's end matter."""
    return (block.kind in ("p", "blockquote") and block.link_share < 0.3 and _wlen(block.text) >= 120
            and END_MARKER.match(block.text) is None)


def _summary_box(kept: list[_Block]) -> int:
    """How many leading blocks form a summary box: a "Key Points" / "划重点" / "要点" label
    line and the list (or the small box) under it. 0 when the body does not start so.

    The box restates the article in a few bullets; a reader skips it, and so does the
    body. The box must be short beside the rest of the body, so an article that is a
    list of highlights keeps its list.
    """
    label = kept[0]
    if len(label.text) > 40 or SUMMARY_LABEL.match(label.text) is None or len(kept) < 3:
        return 0
    end = 1
    if kept[1].kind == "li":  # the bullets: one list
        group = kept[1].group
        while end < len(kept) and kept[end].kind == "li" and kept[end].group is group:
            end += 1
    elif label.source is not None and (box := label.source.getparent()) is not None:
        # the label heads a box of short paragraphs: the blocks inside that box
        while end < len(kept) and kept[end].source is not None and _inside(kept[end].source, box):
            end += 1
        if end == len(kept):  # the box is the whole body: the label is a heading
            return 0
    if end == 1 or end > 9:
        return 0
    box_len = sum(len(b.text) for b in kept[:end])
    rest = sum(len(b.text) for b in kept[end:])
    return end if box_len < 0.6 * rest else 0


def _marked_caption(block: _Block) -> bool:
    """A caption the markup names (``<figcaption>``, ``class="...caption"``), as opposed to a
    paragraph that only looks like one (centred, grey)."""
    if block.kind == "figcaption":
        return True
    el = block.source
    return el is not None and "caption" in (el.get("class") or "").lower()


def _inside(el: Any, box: Any) -> bool:
    return el is box or any(a is box for a in el.iterancestors())


#: the "more" link that ends a teaser's summary ("... überfordert. mehr", "... talks. Read more »")
_TEASER_END = re.compile(r"[.!?…\"“”]\s*(?:mehr|more|read more|weiterlesen|lire la suite|leer más|leggi tutto)"
                         r"\s*[»›>]*$", re.I)


_CUT_OFF = re.compile(r"(?:\.\.\.|…|\[(?:\.\.\.|…)\])\s*$")


def _teaser_tail(kept: list[_Block]) -> int:
    """Where a run of teasers at the body's end starts (``len(kept)`` when there is none).

    A list of other stories under the article ("Latest news": each a headline, an excerpt
    cut off with "..." and often a date line) is made of short lines only: at least two
    cut-off excerpts, and nothing in the run that reads as a finished paragraph. A short
    label line right above the run ("LAST NEWS") goes with it."""
    start = len(kept)
    excerpts = 0
    for i in range(len(kept) - 1, 0, -1):
        text = kept[i].text
        if len(text) < 400 and _CUT_OFF.search(text):
            excerpts += 1
        elif not (len(text) < 120 and not text.rstrip().endswith((".", "!", "?", "。", ":"))):
            break
        start = i
    if excerpts < 2 or excerpts * 4 < len(kept) - start:
        return len(kept)
    if start > 1 and len(kept[start - 1].text) < 40 and not kept[start - 1].text.rstrip().endswith("."):
        start -= 1
    return start


def _trim(blocks: list[_Block], keys: list[str]) -> list[_Block]:
    kept: list[_Block] = []
    seen: set[str] = set()
    in_related = False  # under a "相关新闻：" / "Related" label: its linked lines go too
    for block in blocks:
        text = block.text
        if in_related and block.link_share >= 0.8 and len(text) < 200:
            continue
        in_related = len(text) < 40 and RELATED_LABEL.match(text) is not None
        if in_related:
            continue
        if "首页" in text and TRAILING_JUNK.search(text):
            text = block.text = TRAILING_JUNK.sub("", text)
            block.html = None
            if not text:
                continue
        if len(text) < 400 and block.link_share >= 0.3 and _TEASER_END.search(text):
            continue  # a teaser of another article: its summary and a "more" link
        if len(text) < 200 and (JUNK_LINE.match(text) or DATE_LINE.match(text)) or _is_promo(block):
            continue  # (every junk pattern is shorter than 200 characters)
        caption = block.kind == "figcaption" or _caption_like(block)
        if _is_credit_line(block, caption):
            continue
        if len(text) < 300 and block.kind not in _HEADINGS and CAPTION_LINE.search(text):
            continue  # a picture's caption written as a paragraph ("Abbildung: ...", "... (X / iStock.com)")
        if caption:
            cleaned = _clean_caption(block)
            if cleaned != text:
                text = block.text = cleaned
                block.html = None
            if text in seen:  # a gallery repeats its captions: keep the first
                continue
            seen.add(text)
        kept.append(block)
    # start: the title again, its 原标题 line, bylines and date lines before the text, and
    # a summary box ("Key Points", "划重点") before the first line of the article
    i = 0
    lead = 0  # summary and caption blocks dropped: they still count in the six-block window
    while i < len(kept) and i + lead < 6:
        block = kept[i]
        text = block.text
        if i == 0 and (end := _summary_box(kept)):
            del kept[:end]
            lead += 1
            continue
        if i == 0 and len(kept) > 1 and _marked_caption(block) and not _marked_caption(kept[1]):
            block.lead_caption = True
            del kept[0]  # the lead picture's caption (it stays on the image)
            lead += 1
            continue
        if (block.kind == "h1" or _is_title(text, block.kind, keys) or START_MARKER.match(text)
                or (len(text) < 200 and _POSTED_BY.search(text) and _DATELINE.search(text))
                or (len(text) < 80 and (_BYLINE.match(text) or
                                        (_DATELINE.search(text) and len(text.split()) <= 12
                                         and not text.rstrip().endswith((".", "。")))))):
            del kept[i]
            continue
        i += 1
    # end: a list of teasers (headline, cut-off excerpt, date line) after the article goes
    if kept:
        kept = kept[:_teaser_tail(kept)]
    # end: an editor line, disclaimer, copyright, "related" heading cuts the rest
    if kept:
        total = sum(len(b.text) for b in kept)
        tail_len = 0
        cut = None
        prose_after = False  # running text below this point: a promo there is an inset
        drop: list[int] = []
        for i in range(len(kept) - 1, -1, -1):
            block = kept[i]
            tail_len += len(block.text)
            if tail_len > max(600, total * 0.3) and i < len(kept) - 3:
                break
            if END_MARKER.match(block.text):
                cut = i
            elif SOFT_END_MARKER.match(block.text):
                if prose_after and len(block.text) < 200:
                    drop.append(i)
                elif not prose_after:
                    cut = i
            if _is_prose(block) and (cut is None or i < cut):
                prose_after = True
        if drop:
            kept = [b for j, b in enumerate(kept) if j not in drop or (cut is not None and j >= cut)]
            if cut is not None:
                cut -= sum(1 for j in drop if j < cut)
        if cut is not None and cut > 0:
            kept = kept[:cut]
    # edges: credit and source lines ("新京报记者 陆一夫", "来源：网络") at either end (after the cut,
    # which often leaves the reporter line above an editor line last)
    while kept and len(kept[0].text) < 60 and EDGE_LINE.match(kept[0].text):
        del kept[0]
    while kept and len(kept[-1].text) < 80 and EDGE_LINE.match(kept[-1].text):
        del kept[-1]
    # a credit glued to the last sentence: "…美好生活需要。(文/图 刘玺东)", "…趋稳趋优。（德清县发改局）"
    if kept and (m := TRAILING_ATTRIBUTION.search(kept[-1].text)) and m.start() > 0:
        kept[-1].text = kept[-1].text[:m.start()]
        kept[-1].html = None
    return kept


# --- output ------------------------------------------------------------------------------


def _to_html(blocks: list[_Block], pics: list[_Pic]) -> str:
    out: list[str] = []
    by_pos: dict[int, list[_Pic]] = {}
    for pic in pics:
        by_pos.setdefault(pic.after, []).append(pic)
    open_group: Any = None
    open_tag = ""

    def close() -> None:
        nonlocal open_group, open_tag
        if open_group is not None:
            out.append(f"</{open_tag}>")
        open_group, open_tag = None, ""

    def figures(pos: int) -> None:
        for pic in by_pos.get(pos, ()):
            close()
            alt = f' alt="{escape(pic.alt)}"' if pic.alt else ' alt=""'
            cap = f"<figcaption>{escape(pic.caption)}</figcaption>" if pic.caption else ""
            out.append(f'<figure><img src="{escape(pic.src)}"{alt}>{cap}</figure>')

    for i, block in enumerate(blocks):
        figures(i)
        # The caption is in the <figcaption> just written: not again as a paragraph.
        if block.kind in ("p", "figcaption") and any(pic.caption == block.text for pic in by_pos.get(i, ())):
            continue
        text = block.html or escape(block.text, quote=False)
        if block.kind == "li":
            if open_group is not block.group or open_tag != block.list_tag:
                close()
                out.append(f"<{block.list_tag}>")
                open_group, open_tag = block.group, block.list_tag
            out.append(f"<li>{text}</li>")
            continue
        if block.kind == "blockquote":
            if open_group is not block.group or open_tag != "blockquote":
                close()
                out.append("<blockquote>")
                open_group, open_tag = block.group, "blockquote"
            out.append(f"<p>{text}</p>")
            continue
        close()
        if block.kind == "figcaption" or block.kind == "p":
            out.append(f"<p>{text}</p>")
        elif block.kind == "h1":
            out.append(f"<h2>{text}</h2>")
        elif block.kind == "pre":
            out.append(f"<pre>{text}</pre>")
        else:
            out.append(f"<{block.kind}>{text}</{block.kind}>")
    figures(len(blocks))
    close()
    return "\n".join(out)


def _caption_like(block: _Block) -> bool:
    if block.kind not in ("p", "figcaption") or len(block.text) > 160 or _wlen(block.text) > 160:
        return False
    el = block.source
    if el is None:
        return False
    if block.kind == "figcaption":
        return True
    for node in (el, *el[:1]):
        if not isinstance(node.tag, str):
            continue
        style = node.get("style") or ""
        if _CAPTION_STYLE.search(style) or _CENTER_ATTR.search(node.get("align") or ""):
            return True
        attrs = _attrs(node)
        if attrs and _CAPTION_ATTR.search(attrs):
            return True
    return False


def _images(pics: list[_Pic], raw: list[_Block], kept: list[_Block]) -> list[Image]:
    kept_ids = {id(b) for b in kept}
    out: list[Image] = []
    for pic in pics:
        caption = pic.caption
        if caption is None and pic.after < len(raw):
            # the image stood alone in its paragraph and the next one reads like a caption
            nxt = raw[pic.after]
            prev_same = pic.after > 0 and raw[pic.after - 1].source is pic.block_el
            if not prev_same and nxt.source is not pic.block_el and _caption_like(nxt):
                caption = nxt.text
            elif nxt.source is pic.block_el and _caption_like(nxt):
                caption = nxt.text
        if pic.after > len(raw) or (pic.after < len(raw) and id(raw[pic.after]) not in kept_ids
                                    and not raw[pic.after].lead_caption
                                    and pic.after > 0 and id(raw[pic.after - 1]) not in kept_ids):
            continue  # the image sat in a trimmed edge
        out.append(Image(src=pic.src, alt=pic.alt, caption=caption))
    return out


# --- entry point -------------------------------------------------------------------------


def extract_body(page: Page, title: str | None = None, selector: str | None = None, *,
                 captions: bool = True) -> Body:
    """Return the article body of ``page``; ``selector`` (CSS) from a site profile wins when it matches.

    ``captions=False`` keeps ``<figcaption>``/``class="caption"`` text out of the blocks
    (it stays on ``images``); benchmarks like aeb-dev do not count captions as body text.
    """
    tree = page.tree
    if tree is None:
        return Body()
    roots: list[Any] = []
    scan: _Scan | None = None
    if selector:
        try:
            roots = tree.cssselect(selector)
        except Exception:  # a bad selector in a profile must not break the page
            roots = []
        # nested matches: keep only the outermost
        roots = [r for r in roots if not any(a in roots for a in r.iterancestors())]
    if not roots:
        scan = _Scan()
        scan.run(tree)
        if not scan.order:  # everything sat in furniture-named boxes: score them after all
            scan = _Scan(mute_furniture=False)
            scan.run(tree)
        roots = _containers(page, scan)
    emitter = _Emitter(page, scan)
    emitter.captions = captions
    for root in roots:
        emitter.walk_root(root)
    raw = emitter.blocks
    kept = _trim(raw, _title_keys(page, title))
    images = _images(emitter.pics, raw, kept)
    pics = _reindex(emitter.pics, raw, kept, images)
    prose = 0
    if scan is not None and (body_el := tree.body) is not None:
        prose = scan.good.get(body_el, 0)
    return Body(blocks=[b.text for b in kept], html=_to_html(kept, pics) if kept else None, images=images,
                page_prose=prose)


def _reindex(pics: list[_Pic], raw: list[_Block], kept: list[_Block], images: list[Image]) -> list[_Pic]:
    """Positions of the kept images among the kept blocks (for the HTML)."""
    position = {id(b): i for i, b in enumerate(kept)}
    wanted = {img.src: img for img in images}
    out = []
    for pic in pics:
        img = wanted.get(pic.src)
        if img is None:
            continue
        pos = len(kept)
        for j in range(pic.after, len(raw)):
            if id(raw[j]) in position:
                pos = position[id(raw[j])]
                break
        out.append(_Pic(pic.src, pic.alt, img.caption, pos, pic.block_el))
    return out


__all__ = ["Body", "extract_body"]
