"""A second opinion on the article body, asked only where the own extractor is unsure.

The density scorer in ``body.py`` is fast and precise, but it comes up short in two ways
that another reader of the page catches:

* **The text sits in a script.** Many CMSs put the whole article into JSON-LD
  (``articleBody``) and render only a teaser, or render it with script; when the visible
  body is empty or a clearly truncated part of that text, the JSON-LD text is the article.
* **The container choice went wrong.** When the kept text is short (a few hundred
  characters) or holds a small share of the page's prose, the scorer may have picked one
  box of an article split over several, or a box beside the article. trafilatura, which
  reads pages very differently (tag rules and fallbacks rather than one density score),
  is run then, on a copy of the tree (it mutates what it reads), and its text replaces
  ours only when it is clearly better: it contains what we found and has much more, or
  we found next to nothing.

trafilatura costs about 14 bare lxml parses a page, so it is never run on every page:
only on the short or uncertain ones (a few per hundred news pages).
"""

from __future__ import annotations

import copy
import html as htmlmod
import re
import warnings
from typing import Any

from crawler.parsing.body import Body, extract_body
from crawler.parsing.boilerplate import CAPTION_LINE, PROMO_LINE, is_date_line, is_junk_line
from crawler.parsing.clean import normalize_text, text_weight
from crawler.parsing.page import Page

#: below this weight (CJK counted twice) the own body is unsure enough to ask trafilatura
UNSURE_WEIGHT = 500
#: ... and so is a body holding less than this share of the page's prose
UNSURE_SHARE = 0.5
#: trafilatura's text replaces a body it contains when it is at least this many times longer
CONTAINED_GAIN = 2.0
#: ... and a short body (below SHORT_WEIGHT) it does not contain when this many times longer
SHORT_WEIGHT = 1000
UNRELATED_GAIN = 2.5
#: a JSON-LD articleBody replaces the visible body when it is this many times longer
JSONLD_GAIN = 1.5
#: ... and replaces a short (UNSURE_WEIGHT) visible body it does not contain when this many times
#: longer (a visible article of its own, a few paragraphs beside a long other text, stays)
SCRIPTED_GAIN = 5.0

_WORD = re.compile(r"\w+")
#: a sentence end glued to the next sentence ("...Martinelli.Durante una audiencia"): CMSs
#: that flatten paragraphs into JSON-LD drop the break between them. The next one may open
#: with a mark ("...rematarla.¡Mira", "...dijo.“El") or an all-caps label ("...aeronave.VEA
#: TAMBIÉN:"), which is how inline promos sit in such text; a lower-case word before the
#: stop keeps abbreviations ("EE.UU.") and host names ("example.com") whole.
_GLUED_SENTENCE = re.compile(r"(?<=[^\W\d_A-Z]{2}[.!?])(?=[¡¿\"“«]?[^\W\d_a-z](?:[^\W\d_A-Z]|[^\W\d_a-z]{2}))")
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_BLOCK_TAG = re.compile(r"<(?:/p|br|/div|/h[1-6]|/li|/blockquote)\b[^>]*>", re.I)
_ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report",
                  "ScholarlyArticle", "TechArticle", "LiveBlogPosting", "SocialMediaPosting", "WebPage")


def _weight(blocks: list[str]) -> int:
    return text_weight("\n".join(blocks))


def _words(blocks: list[str]) -> set[str]:
    return set(_WORD.findall("\n".join(blocks).lower()))


def _contained(ours: list[str], theirs: list[str]) -> float:
    """Share of our words that the other text holds too (1.0 when we have none)."""
    mine = _words(ours)
    if not mine:
        return 1.0
    return len(mine & _words(theirs)) / len(mine)


#: a consent box's opening ("We use cookies to ...", "Nous utilisons des cookies", "Wir
#: verwenden Cookies"): the own extractor drops consent boxes by their markup, which another
#: reader's plain text no longer has
_COOKIE_NOTICE = re.compile(
    r"(?:we|this (?:site|website)|nous|ce site|wir|diese (?:seite|website)|utilizamos|usamos|este sitio|"
    r"usiamo|utilizziamo|questo sito|używamy|wij|deze (?:site|website))\b.{0,40}?\bcookies?\b", re.I)


def _is_furniture_line(text: str) -> bool:
    """The one-line boilerplate ``body.py`` drops anywhere (promos, ad and share lines, date
    stamps, captions): another reader's text keeps some of it."""
    if len(text) >= 300:
        return False
    return (PROMO_LINE.match(text) is not None or CAPTION_LINE.search(text) is not None
            or _COOKIE_NOTICE.match(text) is not None
            or (len(text) < 200 and (is_junk_line(text) or is_date_line(text))))


def _as_body(blocks: list[str], source: str, images: list[Any] | None = None) -> Body:
    """A body from plain text blocks (one-line boilerplate left out): one ``<p>`` each
    (escaped) as its HTML."""
    blocks = [b for b in blocks if not _is_furniture_line(b)]
    html = "\n".join(f"<p>{htmlmod.escape(b, quote=False)}</p>" for b in blocks) if blocks else None
    return Body(blocks=blocks, html=html, images=list(images or []), source=source)


# --- JSON-LD articleBody -------------------------------------------------------------------


def _split_text(text: str) -> list[str]:
    """Blocks of a script's article text: its HTML paragraphs or lines, else glued sentences
    split apart when one flat block runs on (no breaks at all in a long text)."""
    if "<" in text and _TAG.search(text):
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    text = htmlmod.unescape(text)
    blocks = [b for b in (normalize_text(line) for line in re.split(r"\n+", text)) if b]
    if len(blocks) == 1 and len(blocks[0]) > 600:
        blocks = [b for b in (normalize_text(x) for x in _GLUED_SENTENCE.split(blocks[0])) if b]
    return blocks


def jsonld_body(page: Page) -> list[str]:
    """The longest ``articleBody`` of the page's JSON-LD article objects, as blocks."""
    best = ""
    for obj in page.jsonld_of_type(*_ARTICLE_TYPES):
        text = obj.get("articleBody")
        if isinstance(text, list):
            text = "\n".join(t for t in text if isinstance(t, str))
        if isinstance(text, str) and len(text) > len(best):
            best = text
    return _split_text(best) if best else []


def _squashed(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _truncated_part(ours: list[str], full: list[str]) -> bool:
    """True when our visible text is a clearly shorter part of ``full``: every one of our
    blocks starts a run of the full text (teasers and "read more" cut-offs) and the full
    text is much longer."""
    if _weight(full) < JSONLD_GAIN * max(1, _weight(ours)):
        return False
    whole = _squashed("\n".join(full))
    for block in ours:
        words = _squashed(block)
        if len(words) > 8 and words[:120] not in whole:
            return False
    return True


# --- trafilatura -------------------------------------------------------------------------


def trafilatura_body(page: Page) -> list[str]:
    """trafilatura's text of the page (tables kept, comments left out), as blocks; [] when it
    finds nothing or is not installed."""
    try:
        import trafilatura
    except ImportError:  # an optional helper: without it the own body stands
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            text = trafilatura.extract(copy.deepcopy(page.tree), url=page.url or None, include_comments=False,
                                       include_tables=True, include_images=False, with_metadata=False)
        except Exception:  # a crash in the helper must not cost the page its own body
            return []
    if not text:
        return []
    return [b for b in (normalize_text(line) for line in text.splitlines()) if b]


#: what follows the headline in a ``<title>``-like line: "Headline | Section | Site | date"
_TITLE_TAIL = re.compile(r"\s*[|–—·:]\s")


def _without_headline(blocks: list[str], title: str | None) -> list[str]:
    """Another reader's blocks without the headline: trafilatura often opens with the h1, or
    with the document title ("Headline | Section | Site"), which the record has as its title
    and our own extractor leaves out of the body."""
    if not title or not blocks:
        return blocks
    head = _squashed(title)
    if not head:
        return blocks

    def is_headline(block: str) -> bool:
        if len(block) > len(title) + 80 or not _squashed(block).startswith(head):
            return False
        cut = block.casefold().find(title.casefold())
        rest = block[cut + len(title):] if cut >= 0 else None
        return _squashed(block) == head or (rest is not None and _TITLE_TAIL.match(rest) is not None)

    return [b for b in blocks if not is_headline(b)]


def _unsure(body: Body, weight: int) -> bool:
    """Short, or a small share of the page's prose: the container choice may be wrong."""
    return weight < UNSURE_WEIGHT or (body.page_prose > 0 and weight < UNSURE_SHARE * body.page_prose)


def _clearly_better(ours: list[str], theirs: list[str], min_weight: int) -> bool:
    mine, other = _weight(ours), _weight(theirs)
    if other < min_weight and other <= mine:
        return False
    if mine < min_weight:
        return other > mine
    if other >= CONTAINED_GAIN * mine and _contained(ours, theirs) >= 0.8:
        return True
    return mine < SHORT_WEIGHT and other >= UNRELATED_GAIN * mine


def body_floor(body: Body, min_weight: int) -> int:
    """The minimum weight of an article body: half of it when a second reader found (or
    confirmed) this text, since two readers agreeing on a short text make it a short article
    rather than a page the extractor misread."""
    return min_weight if body.source == "own" else min_weight // 2


def extract_body_checked(page: Page, title: str | None = None, selector: str | None = None, *,
                         min_weight: int = 200) -> Body:
    """``extract_body``, with a second opinion where it comes up short or is unsure.

    ``min_weight`` is the weight below which a body is too short to be an article: a page
    must not be rejected because our extractor came up short while another reader finds a
    body. The blocks are normalised (``normalize_text``), empty ones dropped."""
    # captions stay on the images, out of the text: they describe a picture, and readers
    # (and every gold standard measured here) do not read them as the article's sentences
    body = extract_body(page, title=title, selector=selector, captions=False)
    ours = [b for b in (normalize_text(b) for b in body.blocks) if b]
    weight = _weight(ours)
    if page.tree is None:
        body.blocks = ours
        return body
    scripted = jsonld_body(page) if "articleBody" in page.html else []
    declared = _weight(scripted) if scripted else 0
    if scripted and declared >= min_weight and (
            _truncated_part(ours, scripted) or (weight < UNSURE_WEIGHT and declared >= SCRIPTED_GAIN * weight)):
        # a visible teaser of the declared text, or a visible body so short beside it (a
        # caption and a standfirst around an article the page builds with script) that the
        # page's own statement of its text is the better reading
        return _as_body(scripted, "jsonld", body.images)
    if not _unsure(body, weight):
        body.blocks = ours
        return body
    theirs = _without_headline(trafilatura_body(page), title)
    if theirs and _clearly_better(ours, theirs, min_weight):
        return _as_body(theirs, "trafilatura")
    if weight < min_weight and weight >= min_weight // 2 and _contained(ours, theirs) >= 0.6:
        body.source = "confirmed"  # a short text, but both readers find it: a short article
    body.blocks = ours
    return body


__all__ = ["body_floor", "extract_body_checked", "jsonld_body", "trafilatura_body"]
