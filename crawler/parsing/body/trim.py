"""Stage 3, lines and edges: the blocks that are not the article's text go."""

from __future__ import annotations

import re
from typing import Any

from crawler.parsing.body.blocks import Block
from crawler.parsing.body.images import caption_like
from crawler.parsing.body.markup import HEADINGS, wlen
from crawler.parsing.body.pointers import LINK_LINES_SHARE_MAX, is_here_pointer, is_link_line
from crawler.parsing.boilerplate import (
    CAPTION_LABEL,
    CAPTION_LINE,
    CREDIT_LINE,
    EDGE_LINE,
    END_MARKER,
    NEWSLETTER_LINE,
    NEWSLETTER_WORDS,
    PROMO_LINE,
    RELATED_LABEL,
    SOFT_END_MARKER,
    START_MARKER,
    SUMMARY_LABEL,
    TRAILING_ATTRIBUTION,
    TRAILING_CREDIT,
    TRAILING_JUNK,
    is_date_line,
    is_junk_line,
)
from crawler.parsing.page import AnyWord, Page

# --- named limits (characters of a block's text unless said otherwise) ---------------------

#: a "Related" label line is shorter than this; the linked lines under it go while they are
#: mostly link text (RELATED_LINK_SHARE) and shorter than RELATED_LINE_MAX
RELATED_LABEL_MAX = 40
RELATED_LINK_SHARE = 0.8
RELATED_LINE_MAX = 200
#: a teaser of another article (a summary ending in a "more" link): shorter than this, and at
#: least TEASER_LINK_SHARE of it links
TEASER_MAX = 400
TEASER_LINK_SHARE = 0.3
#: every junk and date-line pattern is shorter than this
JUNK_LINE_MAX = 200
#: a caption written as a paragraph is shorter than this
CAPTION_PARAGRAPH_MAX = 300
#: the start stage looks at the first this many blocks (dropped summary boxes and captions count)
START_WINDOW = 6
#: a post-meta line ("Published by X, 05/10/2018") at the start is shorter than this
POSTED_BY_MAX = 200
#: a byline or date line at the start is shorter than this, and a date line has at most
#: DATELINE_MAX_WORDS words
BYLINE_MAX = 80
DATELINE_MAX_WORDS = 12
#: end matter is looked for in the last blocks: at most END_ZONE_MIN characters or
#: END_ZONE_SHARE of the text, whichever is more (always the last END_ZONE_BLOCKS blocks)
END_ZONE_MIN = 600
END_ZONE_SHARE = 0.3
END_ZONE_BLOCKS = 3
#: soft end matter ("Subscribe to ...") above running text is an inset when shorter than this
INSET_MAX = 200
#: reporter and source lines at the start / the end are shorter than these
EDGE_START_MAX = 60
EDGE_END_MAX = 80
#: a picture credit line is at most this long, and outside a caption at most CREDIT_MAX_WORDS words
CREDIT_MAX = 120
CREDIT_MAX_WORDS = 8
#: a caption keeps its trailing credit when what would be left is shorter than this
CAPTION_MIN = 15
#: a one-line promo ("READ MORE: ...") is shorter than this; a heading is one only when at
#: least PROMO_HEADING_LINK_SHARE of it is a link
PROMO_MAX = 300
PROMO_HEADING_LINK_SHARE = 0.5
#: running text: little link text, at least this weight (CJK counted twice)
PROSE_LINK_SHARE = 0.3
PROSE_MIN_WEIGHT = 120
#: a summary box: a label line at most SUMMARY_LABEL_MAX long over at most
#: SUMMARY_BOX_MAX_BLOCKS blocks, under SUMMARY_BOX_SHARE of the rest of the body
SUMMARY_LABEL_MAX = 40
SUMMARY_BOX_MAX_BLOCKS = 9
SUMMARY_BOX_SHARE = 0.6
#: a newsletter signup prompt is shorter than this
NEWSLETTER_LINE_MAX = 200
#: a teaser list at the end: at least MIN_EXCERPTS excerpts cut off with "..." (each shorter
#: than EXCERPT_MAX, at least a quarter of the run), the other lines unfinished and shorter than
#: TEASER_LINE_MAX, a label line over them shorter than TEASER_LABEL_MAX
MIN_EXCERPTS = 2
EXCERPT_MAX = 400
TEASER_LINE_MAX = 120
TEASER_LABEL_MAX = 40


def _norm(text: str) -> str:
    return _NONWORD.sub("", text).lower()


_NONWORD = re.compile(r"\W+")
#: the ASCII characters ``_NONWORD`` removes, as bytes
_NONWORD_BYTES = bytes(c for c in range(128) if _NONWORD.match(chr(c)))
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


def title_keys(page: Page, title: str | None) -> list[str]:
    keys: list[str | None] = [title] if title else []
    if not title:
        keys += [page.meta.get("og:title"), page.meta.get("twitter:title")]
        found = page.tree.find(".//title")
        if found is not None and found.text:
            keys.append(found.text)
    return [k for k in (_norm(k) for k in keys if k) if len(k) >= 4]


def _is_title(text: str, kind: str, keys: list[str]) -> bool:
    if not keys:
        return False
    # Each test below needs the normalised text no longer than a key, and normalising a long
    # paragraph costs ~20 ns a character: a prefix of the text decides first (its normalised
    # form is never longer than the whole text's: \W and lower() read one character at a time).
    longest = max(map(len, keys))
    window = 2 * longest + 16
    if len(text) > window and _norm_len(text[:window]) > longest:
        return False
    return _matches_title(_norm(text), kind, keys)


def _norm_len(text: str) -> int:
    """``len(_norm(text))``. Of ASCII text, the count of its word characters: its bytes less
    the non-word ones (``bytes.translate`` in C), for ~0.4 us instead of ~3 us for the regex
    substitution over a 200-character window (lower() keeps an ASCII text's length)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _NONWORD_BYTES))
    return len(_norm(text))


def _matches_title(norm: str, kind: str, keys: list[str]) -> bool:
    if not norm:
        return False
    for key in keys:
        if norm == key or (len(norm) >= 10 and key.startswith(norm)) or (kind in HEADINGS and norm in key):
            return True
    return False


def _is_title_plain(text: str, kind: str, keys: list[str]) -> bool:
    """The readable form; _is_title must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return _matches_title(_norm(text), kind, keys)


def _is_caption_line(text: str) -> bool:
    """``CAPTION_LINE.search(text)``: a line holding none of ``(``, ``[`` and ``©`` can match
    only at its start (the figure label is anchored there; the credit alternatives open with
    one of the three), so ``match`` answers for it. ~5x cheaper on a paragraph than the
    search, which tries the credit alternatives at every offset (~4.5 us a block on the
    bench site, asked of every block shorter than CAPTION_PARAGRAPH_MAX). With ``_norm_len``,
    the newsletter and trailing-credit pre-tests and cut_end_matter's one END_MARKER test a
    block, the trim stage of a bench page took 2.57 -> 1.41 M instructions (callgrind)."""
    if "(" in text or "[" in text or "©" in text:
        return CAPTION_LINE.search(text) is not None
    return CAPTION_LINE.match(text) is not None


def _is_caption_line_plain(text: str) -> bool:
    """The readable form; _is_caption_line must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return CAPTION_LINE.search(text) is not None


def _clean_caption(block: Block) -> str:
    """A caption without its screen-reader label ("Image caption") and trailing credit."""
    text = CAPTION_LABEL.sub("", block.text)
    stripped = TRAILING_CREDIT.sub("", text)
    return stripped if len(stripped) >= CAPTION_MIN else text


def _is_credit_line(block: Block, caption: bool) -> bool:
    """Only a picture credit ("Image copyright EPA", "Jane Doe/Reuters", "Getty Images")."""
    text = block.text
    if len(text) > CREDIT_MAX or block.kind in HEADINGS:
        return False
    if not caption and len(text.split()) > CREDIT_MAX_WORDS:
        return False
    return CREDIT_LINE.match(text) is not None


def _is_promo(block: Block) -> bool:
    """A one-line teaser for another article ("READ MORE: ...", "Also on example.com ...")."""
    if len(block.text) >= PROMO_MAX or PROMO_LINE.match(block.text) is None:
        return False
    # a heading is a promo only as a link ("MIRA: <another story>"): a section may be titled "See also:"
    return block.kind not in HEADINGS or block.link_share >= PROMO_HEADING_LINK_SHARE


def _is_prose(block: Block) -> bool:
    """A paragraph of running text, the kind that never follows the article's end matter, when
    it does not open with an END_MARKER (tested apart: cut_end_matter has matched it already)."""
    return (block.kind in ("p", "blockquote") and block.link_share < PROSE_LINK_SHARE
            and wlen(block.text) >= PROSE_MIN_WEIGHT)


def _summary_box(kept: list[Block]) -> int:
    """How many leading blocks form a summary box: a "Key Points" / "划重点" / "要点" label
    line and the list (or the small box) under it. 0 when the body does not start so.

    The box restates the article in a few bullets; a reader skips it, and so does the
    body. The box must be short beside the rest of the body, so an article that is a
    list of highlights keeps its list.
    """
    label = kept[0]
    if len(label.text) > SUMMARY_LABEL_MAX or SUMMARY_LABEL.match(label.text) is None or len(kept) < 3:
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
    if end == 1 or end > SUMMARY_BOX_MAX_BLOCKS:
        return 0
    box_len = sum(len(b.text) for b in kept[:end])
    rest = sum(len(b.text) for b in kept[end:])
    return end if box_len < SUMMARY_BOX_SHARE * rest else 0


def _marked_caption(block: Block) -> bool:
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


def _teaser_tail(kept: list[Block]) -> int:
    """Where a run of teasers at the body's end starts (``len(kept)`` when there is none).

    A list of other stories under the article ("Latest news": each a headline, an excerpt
    cut off with "..." and often a date line) is made of short lines only: at least two
    cut-off excerpts, and nothing in the run that reads as a finished paragraph. A short
    label line right above the run ("LAST NEWS") goes with it."""
    start = len(kept)
    excerpts = 0
    for i in range(len(kept) - 1, 0, -1):
        text = kept[i].text
        if len(text) < EXCERPT_MAX and _CUT_OFF.search(text):
            excerpts += 1
        elif not (len(text) < TEASER_LINE_MAX and not text.rstrip().endswith((".", "!", "?", "。", ":"))):
            break
        start = i
    if excerpts < MIN_EXCERPTS or excerpts * 4 < len(kept) - start:
        return len(kept)
    if start > 1 and len(kept[start - 1].text) < TEASER_LABEL_MAX and not kept[start - 1].text.rstrip().endswith("."):
        start -= 1
    return start


def trim(blocks: list[Block], keys: list[str]) -> list[Block]:
    """The article's blocks of ``blocks``, stage by stage: lines that are never article
    text anywhere (pointer lines included), then the start (title, bylines, summary box, lead
    caption), a teaser list at the end, end matter, newsletter prompts left inside the
    article, and reporter lines and credits at the edges."""
    kept = drop_lines(blocks)
    kept = trim_start(kept, keys)
    kept = drop_teaser_tail(kept)
    kept = cut_end_matter(kept)
    kept = drop_newsletter_prompts(kept)
    return trim_edges(kept)


def drop_lines(blocks: list[Block]) -> list[Block]:
    """Anywhere: "Related" lists, ad, widget and date lines, promos (linked promo headings
    too), teasers of other articles, lines that only point elsewhere (one worded link, a
    linked "here" at the end), picture credits and captions written as paragraphs; a caption repeated by a
    gallery once. A caption loses its label and trailing credit."""
    kept: list[Block] = []
    seen: set[str] = set()
    in_related = False  # under a "相关新闻：" / "Related" label: its linked lines go too
    # pointer lines among the article's paragraphs go; a body made of them is a list of links
    # (a listing page the verdict must still see as one), left whole
    link_lines = [is_link_line(b) for b in blocks]
    drop_pointers = sum(link_lines) * LINK_LINES_SHARE_MAX < len(blocks)
    for block, link_line in zip(blocks, link_lines, strict=True):
        text = block.text
        if in_related and block.link_share >= RELATED_LINK_SHARE and len(text) < RELATED_LINE_MAX:
            continue
        in_related = len(text) < RELATED_LABEL_MAX and RELATED_LABEL.match(text) is not None
        if in_related:
            continue
        if "首页" in text and TRAILING_JUNK.search(text):
            text = block.text = TRAILING_JUNK.sub("", text)
            block.html = None
            if not text:
                continue
        if len(text) < TEASER_MAX and block.link_share >= TEASER_LINK_SHARE and _TEASER_END.search(text):
            continue  # a teaser of another article: its summary and a "more" link
        if len(text) < JUNK_LINE_MAX and (is_junk_line(text) or is_date_line(text)) or _is_promo(block):
            continue
        if (drop_pointers and link_line) or is_here_pointer(block):
            continue
        caption = block.kind == "figcaption" or caption_like(block)
        if _is_credit_line(block, caption):
            continue
        if len(text) < CAPTION_PARAGRAPH_MAX and block.kind not in HEADINGS and _is_caption_line(text):
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
    return kept


def trim_start(kept: list[Block], keys: list[str]) -> list[Block]:
    """The start: the title again, its 原标题 line, bylines and date lines before the text, a
    summary box ("Key Points", "划重点") before the first line of the article, and the lead
    picture's caption (marked ``lead_caption``: it stays on the image). Edits ``kept``."""
    i = 0
    lead = 0  # summary and caption blocks dropped: they still count in the window
    while i < len(kept) and i + lead < START_WINDOW:
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
                or (len(text) < POSTED_BY_MAX and _POSTED_BY.search(text) and _DATELINE.search(text))
                or (len(text) < BYLINE_MAX and (_BYLINE.match(text) or
                                                (_DATELINE.search(text) and len(text.split()) <= DATELINE_MAX_WORDS
                                                 and not text.rstrip().endswith((".", "。")))))):
            del kept[i]
            continue
        i += 1
    return kept


def drop_teaser_tail(kept: list[Block]) -> list[Block]:
    """The end: a list of teasers (headline, cut-off excerpt, date line) after the article."""
    return kept[:_teaser_tail(kept)] if kept else kept


def cut_end_matter(kept: list[Block]) -> list[Block]:
    """The end: an editor line, disclaimer, copyright or "related" heading cuts the rest;
    promotional end matter ("Subscribe to ...") cuts it too unless running text follows,
    which makes it an inset (dropped alone)."""
    if not kept:
        return kept
    total = sum(len(b.text) for b in kept)
    tail_len = 0
    cut = None
    prose_after = False  # running text below this point: a promo there is an inset
    drop: list[int] = []
    for i in range(len(kept) - 1, -1, -1):
        block = kept[i]
        tail_len += len(block.text)
        if tail_len > max(END_ZONE_MIN, total * END_ZONE_SHARE) and i < len(kept) - END_ZONE_BLOCKS:
            break
        end_marker = END_MARKER.match(block.text) is not None
        if end_marker:
            cut = i
        elif SOFT_END_MARKER.match(block.text):
            if prose_after and len(block.text) < INSET_MAX:
                drop.append(i)
            elif not prose_after:
                cut = i
        if not end_marker and (cut is None or i < cut) and _is_prose(block):
            prose_after = True
    if drop:
        kept = [b for j, b in enumerate(kept) if j not in drop or (cut is not None and j >= cut)]
        if cut is not None:
            cut -= sum(1 for j in drop if j < cut)
    if cut is not None and cut > 0:
        kept = kept[:cut]
    return kept


def drop_newsletter_prompts(kept: list[Block]) -> list[Block]:
    """Anywhere, after the end cut (a prompt at the end cuts the rest with it there): a short
    newsletter signup prompt in a box inside the article."""
    return [b for b in kept if len(b.text) >= NEWSLETTER_LINE_MAX or not _is_newsletter_line(b.text)]


_NEWSLETTER_WORDS = AnyWord(*NEWSLETTER_WORDS)


def _is_newsletter_line(text: str) -> bool:
    """``NEWSLETTER_LINE.match(text)``, tried only on a line holding one of its newsletter words
    (substring searches, ~1 us; the pattern backtracks over up to 160 characters for them,
    ~3.5 us a short line of the bench site, where none holds one)."""
    return _NEWSLETTER_WORDS.search(text) and NEWSLETTER_LINE.match(text) is not None


def _is_newsletter_line_plain(text: str) -> bool:
    """The readable form; _is_newsletter_line must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return NEWSLETTER_LINE.match(text) is not None


def trim_edges(kept: list[Block]) -> list[Block]:
    """Both edges: credit and source lines ("新京报记者 陆一夫", "来源：网络"), after the end cut,
    which often leaves the reporter line above an editor line last; and a credit glued to the
    last sentence ("…美好生活需要。(文/图 刘玺东)", "…趋稳趋优。（德清县发改局）"). Edits ``kept``."""
    while kept and len(kept[0].text) < EDGE_START_MAX and EDGE_LINE.match(kept[0].text):
        del kept[0]
    while kept and len(kept[-1].text) < EDGE_END_MAX and EDGE_LINE.match(kept[-1].text):
        del kept[-1]
    # the pattern ends in a closing bracket and white space: a line ending otherwise is not read
    if (kept and kept[-1].text.rstrip().endswith((")", "）"))
            and (m := TRAILING_ATTRIBUTION.search(kept[-1].text)) and m.start() > 0):
        kept[-1].text = kept[-1].text[:m.start()]
        kept[-1].html = None
    return kept
