"""Stage 1, the container: one readability-style pass scores every element, and the best
container and the siblings that belong to the article are chosen."""

from __future__ import annotations

from typing import Any

from crawler.parsing.body.markup import (
    HEADINGS,
    INLINE_TAGS,
    PARA_TAGS,
    SKIP_TAGS,
    attr_text,
    class_and_id,
    clause_marks,
    is_hidden,
    wlen,
)
from crawler.parsing.boilerplate import attr_weight
from crawler.parsing.page import Page

_TAG_BASE = {
    "div": 5, "article": 8, "section": 3, "main": 3, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5, "body": -5,
}


#: boxes that never hold the article, unless the markup left one unclosed (a page header
#: holding the article is left skipped: its own h1 and menus would come along)
_LANDMARKS = frozenset({"aside", "nav", "menu"})


def holds_headed_article(el: Any) -> bool:
    """A sidebar or menu that holds an ``<article>`` with the page's h1: the
    box was left unclosed and the parser nested the rest of the page, article included,
    inside it (seen on WordPress themes with an unclosed widget). Such a box is read."""
    return el.tag in _LANDMARKS and (art := el.find(".//article")) is not None and art.find(".//h1") is not None


#: the attributes Scan._walk reads (is_hidden's and the furniture test's)
_READ_ATTRIBUTES = frozenset({"style", "hidden", "aria-hidden", "class", "id"})
#: the fields of ``Scan.stats``, and the stats of an element not walked
TEXT, LINKS, GOOD, PARAS = range(4)
NONE = (0, 0, 0, 0)


class Scan:
    """One pass over the tree: text and link-text length of every element, paragraph scores.

    ``stats`` maps each element walked to one tuple (``TEXT``, ``LINKS``, ``GOOD``, ``PARAS``:
    its text length, link-text length, paragraph text length and paragraph count), not four
    dicts: one store a visited element instead of four (their readers take the field they
    need by index; an element not walked reads as ``NONE``)."""

    __slots__ = ("stats", "score", "order", "mute_furniture")

    def __init__(self, mute_furniture: bool = True) -> None:
        self.stats: dict[Any, tuple[int, int, int, int]] = {}
        self.score: dict[Any, float] = {}
        self.order: list[Any] = []
        self.mute_furniture = mute_furniture

    def tlen(self, el: Any) -> int:
        """The text length of ``el`` (CJK counted twice), 0 when it was not walked."""
        return self.stats.get(el, NONE)[TEXT]

    def good(self, el: Any) -> int:
        """The text of the paragraphs in ``el`` that score (few links, outside furniture)."""
        return self.stats.get(el, NONE)[GOOD]

    def run(self, root: Any) -> None:
        self._walk(root, False, False)

    def _walk(self, el: Any, in_link: bool, muted: bool) -> tuple[int, int, int, int]:
        """Text, link text and paragraph text lengths of ``el``, and its paragraph count.

        Paragraphs score their containers unless ``muted``.

        Paragraphs inside furniture (a ``comments`` or ``related`` box) do not score, so
        a long comment thread cannot outbid the article (readability removes such boxes).

        Visited ~105 times a page, so the usual case is kept short: the length of an ASCII
        text is its ``len`` (``wlen`` and ``clause_marks`` are called only beyond ASCII); a
        child without text adds nothing (its link, paragraph text and paragraph count are
        parts of its text), so only its tag is looked at; clause marks are counted only in
        an element that can score as a paragraph (the scan of a bench page: 2.76 -> 2.15 M
        instructions with these, the one stats tuple and markup._hidden_class).
        """
        tag = el.tag
        if not isinstance(tag, str) or (tag in SKIP_TAGS and not holds_headed_article(el)):
            return NONE
        # All attributes in one call, not up to six el.get (each parses the name for a
        # namespace); reversed, so a repeated name keeps its first value, as el.get does.
        # An only attribute that neither is_hidden nor the furniture test reads (a link's
        # href) is not read further: with get None the tests below answer as they would.
        items = el.items()
        get = (dict(reversed(items)).get if items and (len(items) > 1 or items[0][0] in _READ_ATTRIBUTES)
               else None)
        if get is not None and is_hidden(el, get):
            return NONE
        if (get is not None and not muted and self.mute_furniture and tag not in INLINE_TAGS
                and tag not in ("body", "html")):
            attrs = class_and_id(get)
            if attrs and attr_weight(attrs) == -2:
                muted = True
        elif muted and tag == "article" and el.find(".//h1") is not None:
            # the page's headline and its <article> inside a sidebar or menu: that box was left
            # unclosed in the markup and the parser nested the rest of the page in it; a
            # sidebar's own teasers and a thread's comments carry no h1
            muted = False
        is_link = in_link or tag == "a"
        # a paragraph that can score: its clause marks are counted, no other element's
        scoring = not muted and tag not in INLINE_TAGS and tag not in HEADINGS and tag != "li"
        text = el.text
        if text and not text.isspace():
            if text.isascii():
                own = len(text.strip())
                commas = text.count(",") + text.count(";") if scoring else 0
            else:
                own = wlen(text.strip())
                commas = clause_marks(text) if scoring else 0
        else:
            own = commas = 0
        total = own
        own_links = links = own if is_link else 0
        good = paras = 0
        has_block = False
        walk = self._walk
        for child in el:
            ctag = child.tag
            if isinstance(ctag, str):
                ct, cl, cg, cp = walk(child, is_link, muted)
                if ct:
                    total += ct
                    links += cl
                    good += cg
                    paras += cp
                    if ctag in INLINE_TAGS:
                        own += ct
                        own_links += cl
                    else:
                        has_block = True
            tail = child.tail
            if tail and not tail.isspace():
                if tail.isascii():
                    n = len(tail.strip())
                    if scoring:
                        commas += tail.count(",") + tail.count(";")
                else:
                    n = wlen(tail.strip())
                    if scoring:
                        commas += clause_marks(tail)
                own += n
                total += n
                if is_link:
                    links += n
                    own_links += n
        if scoring and own >= 25:
            if own_links < own * 0.3:
                good += own
                paras += 1
            # a paragraph: plain <p>-like tags and text-only boxes score their parent,
            # boxes that mix text with blocks (text between <br>s beside <div>s) score themselves
            points = 1 + commas + min(own // 100, 3)
            target = el.getparent() if tag in PARA_TAGS or not has_block else el
            level = 0
            while target is not None and level < 2 and target.tag != "html":
                if target not in self.score:
                    self.score[target] = self._initial(target)
                    self.order.append(target)
                self.score[target] += points / (1 if level == 0 else 2)
                target = target.getparent()
                level += 1
        found = self.stats[el] = (total, links, good, paras)
        return found

    @staticmethod
    def _initial(el: Any) -> float:
        weight = attr_weight(attr_text(el))
        return _TAG_BASE.get(el.tag, 0) + 25 * max(-1, weight)

    def final(self, el: Any) -> float:
        total, links, _, _ = self.stats.get(el, NONE)
        density = links / total if total else 1.0
        score = self.score[el]
        good = total - links
        if good < _FULL_BONUS and score > 25 and attr_weight(attr_text(el)) > 0:
            score -= 25 * (1 - good / _FULL_BONUS)
        return score * (1 - density)


_FULL_BONUS = 400


def _best(scan: Scan) -> Any:
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


def _only_child(el: Any, parent: Any, scan: Scan) -> bool:
    """True when ``el`` is the only child of ``parent`` that holds text other than a heading."""
    before = True
    for child in parent:
        if child is el:
            before = False
            continue
        if not isinstance(child.tag, str):
            continue
        if child.tag in HEADINGS and scan.tlen(child) < 80:
            continue
        if not scan.tlen(child) and (child.tag in SKIP_TAGS or attr_weight(attr_text(child)) < 0
                                            or (before and next(child.iter("img"), None) is None)):
            continue  # an empty footer, ad slot or layout box
        return False
    return True


def is_card_list(el: Any, scan: Scan) -> bool:
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
                    if not 0 < scan.tlen(sib) < 120 or next(sib.iter("img"), None) is None:
                        return False
                    cards += scan.tlen(sib)
            return cards >= 0.6 * (scan.tlen(el) if el in scan.stats else 1)
    return False


#: a sibling not walked, as ``containers`` reads it: its paragraph count defaults to 1
_NOT_WALKED = (0, 0, 0, 1)


def containers(page: Page, scan: Scan) -> list[Any]:
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
        if sib.tag in SKIP_TAGS or is_hidden(sib) or attr_weight(attr_text(sib)) < 0 or is_card_list(sib, scan):
            continue
        bonus = top_score * 0.2 if top_attrs and sib.get("class") == top_attrs else 0.0
        tlen, links, good, paras = scan.stats.get(sib, _NOT_WALKED)
        if sib in finals and finals[sib] + bonus >= threshold:
            kept.append(sib)
        elif (good >= 50 and good >= 0.6 * tlen and good >= 80 * paras
              and links < 0.25 * tlen):
            # mostly paragraphs: the article goes on in a sibling box. Not when a third of
            # it is links: that is a teaser list (linked headline + one-line summary each)
            kept.append(sib)
        elif sib.tag == "p":
            density = links / tlen if tlen else 1.0
            if (tlen > 80 and density < 0.25) or (0 < tlen <= 80 and density == 0):
                kept.append(sib)
    return kept


def with_ingredients(tree: Any, roots: list[Any]) -> list[Any]:
    """``roots`` plus a recipe's ingredient lists (schema.org ``itemprop="recipeIngredient"``)
    that sit outside them, in document order.

    A recipe's method is paragraphs and wins the scoring; its ingredients are short list
    items, often in a box of their own beside it, and score nothing. The markup says they
    are the recipe's text, so the lists join the body."""
    if not roots:
        return roots
    inside = set(roots)
    lists: list[Any] = []
    seen: set[str] = set()  # the same list twice (a print or mobile copy) joins once
    for item in tree.iterfind('.//*[@itemprop="recipeIngredient"]'):
        if item in inside or any(a in inside for a in item.iterancestors()):
            continue
        box = item.getparent() if item.tag == "li" and item.getparent() is not None else item
        if box in lists or any(a in lists for a in box.iterancestors()):
            continue
        text = " ".join("".join(box.itertext()).split())
        if text not in seen:
            seen.add(text)
            lists.append(box)
    if not lists:
        return roots
    order = {el: i for i, el in enumerate(tree.iter())}
    return sorted(roots + lists, key=lambda el: order.get(el, 0))
