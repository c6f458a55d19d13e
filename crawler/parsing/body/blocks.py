"""Stage 2, blocks: the chosen containers walked in document order into text blocks (each
with its inline HTML) and the pictures between them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

from crawler.parsing.body.markup import (
    HEADINGS,
    INLINE_TAGS,
    LIST_TAGS,
    SKIP_TAGS,
    Getter,
    attr_text,
    attributes,
    class_and_id,
    is_hidden,
)
from crawler.parsing.body.score import NONE, Scan, is_card_list
from crawler.parsing.boilerplate import CREDIT_ATTR, GALLERY_ATTR, attr_weight
from crawler.parsing.page import Page, search_ignorecase, squash

#: an ``itemprop="author"`` element holding at least this much text is an author card (a
#: byline naming the author is far shorter)
AUTHOR_BOX_MIN = 120
_TEASER_ATTR = re.compile(r"teaser", re.I)
#: class words of a drop cap: the first letter of the article set in its own (block) box
_DROP_CAP_ATTR = re.compile(r"drop-?cap|dropcap|initial|first-?letter|versal", re.I)
_IMG_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url",
                  "data-original-src", "data-hi-res-src", "src")
#: class words of a picture's caption box ("wp-caption-text", "legend", "bildunterschrift")
_CAPTION_BOX = re.compile(r"caption|(?:^|[\s_-])legend(?:$|[\s_-])|bildunterschrift|bu-text", re.I)
#: inline tags kept in ``body_html`` (nh3 sanitises it again downstream)
_EMPHASIS = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}
_EMPTY_INLINE = re.compile(r"<(a|strong|em)\b[^>]*>\s*</\1>")
#: white space just inside a tag moves out of it ("<a> x </a>" -> " <a>x</a> ")
_SPACE_IN_TAG = re.compile(r"(<(?:a|strong|em)\b[^>]*>)( ?)(.*?)( ?)(</(?:a|strong|em)>)")


def _space_out(m: re.Match[str]) -> str:
    return f"{m.group(2)}{m.group(1)}{m.group(3)}{m.group(5)}{m.group(4)}"



@dataclass(slots=True)
class Block:
    kind: str          # p, h2.., li, blockquote, pre, figcaption
    text: str
    group: Any = None  # the list/blockquote element, to group <li>/<blockquote> in HTML
    list_tag: str = "ul"
    source: Any = None  # the element whose text this is
    link_share: float = 0.0  # share of the text inside <a>
    html: str | None = None  # the same text with its inline links and emphasis
    lead_caption: bool = False  # the lead picture's caption: out of the text, kept on the image


@dataclass(slots=True)
class Pic:
    src: str
    alt: str | None
    caption: str | None
    after: int          # number of blocks emitted before the image
    block_el: Any       # the block element holding the image


class Emitter:
    def __init__(self, page: Page, scan: Scan | None) -> None:
        self.page = page
        self.scan = scan
        self.blocks: list[Block] = []
        self.pics: list[Pic] = []
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
            self.blocks.append(Block(self.kind, text, self.group, self.list_tag, self.source, share, html))

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

    def _is_credit(self, el: Any, get: Getter | None = None) -> bool:
        """A short credit box (``<span class="credit">Getty Images</span>`` in a caption).
        ``get``: the element's attributes, when the caller has read them already."""
        cls = (get or el.get)("class")
        if not cls or not search_ignorecase(CREDIT_ATTR, cls):
            return False
        scan = self.scan
        return scan is None or scan.tlen(el) < 200

    def _hidden(self, el: Any, get: Getter | None = None) -> bool:
        """``is_hidden(el)``, known False for an element the scan walked (the scan walks
        no hidden element, and no stage modifies the tree)."""
        scan = self.scan
        if scan is not None and el in scan.stats:
            return False
        return is_hidden(el, get)

    def _droppable(self, el: Any, tag: str) -> bool:
        if tag in SKIP_TAGS:
            return True
        # all attributes in one call, not up to eight el.get (~0.2 us each: each parses the
        # name for a namespace); with _hidden, the blocks walk of a bench page took 1.59 -> 1.42
        # M instructions
        get = attributes(el)
        if self._hidden(el, get) or self._is_credit(el, get):
            return True
        if tag == "form" and (self.scan is None or self.scan.tlen(el) < 500
                              or el.find(".//textarea") is not None):
            return True
        attrs = class_and_id(get)
        weight = attr_weight(attrs) if attrs else 0
        if weight == -2:
            return True
        scan = self.scan
        if get("itemprop") == "author" and (scan is None or scan.tlen(el) >= AUTHOR_BOX_MIN):
            return True  # schema.org's author as a box with prose: a bio card, not the article
        if scan is None:
            return weight < 0 and tag != "p"
        total, links, _, _ = scan.stats.get(el, NONE)
        density = links / total if total else 0.0
        if weight < 0 and tag != "p" and (total < 300 or density > 0.5):
            return True
        if density > 0.15 and total < 1500 and attrs and _TEASER_ATTR.search(attrs):
            return True  # a teaser card of another article (a linked one: a lead paragraph named so has no link)
        if attrs and total < 2000 and GALLERY_ATTR.search(attrs) and tag not in ("p", "body", "article", "main"):
            return True
        if tag in LIST_TAGS or tag in ("div", "section", "table"):
            if total and density > 0.5 and (tag in LIST_TAGS or total < 600):
                return True
            if total < 1500 and is_card_list(el, scan):
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
        if tag in INLINE_TAGS:
            if self._hidden(el) or self._is_credit(el):
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
        if tag in HEADINGS:
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
        if (el.tail or "").strip() or is_hidden(el):
            return False
        if not letter[0].isupper():
            attrs = attr_text(el)
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
        get = attributes(el)
        if self._hidden(el, get):
            return
        src = None
        for attr in _IMG_SRC_ATTRS:
            value = get(attr)
            if value and not value.strip().startswith("data:"):
                src = value
                break
        src = self.page.absolute(src)
        if not src or src in self.seen_src:
            return
        for dim in ("width", "height"):
            value = (get(dim) or "").strip().rstrip("px")
            if value.isdigit() and int(value) < 50:
                return
        self.seen_src.add(src)
        alt = squash(get("alt")) or None
        caption = None
        figure = next((a for a in el.iterancestors("figure")), None)
        if figure is not None:
            cap = figure.find(".//figcaption")
            if cap is not None:
                caption = squash("".join(cap.itertext())) or None
        pending = 1 if self.buf and "".join(self.buf).strip() else 0  # text before it in the block
        self.pics.append(Pic(src, alt, caption, len(self.blocks) + pending, self.source))
