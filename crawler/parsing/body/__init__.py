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
   skipped, and so are ``itemprop="author"`` boxes holding prose (author cards), link-heavy
   lists and boxes, linked teaser boxes and grids of teaser
   cards. Image alt text never becomes text; ``<rt>`` furigana never either; a drop cap set
   in a box of its own joins the word it starts. Each block also keeps its inline links
   (absolute ``href``) and emphasis for ``body_html``.
3. **Lines and edges.** Anywhere: ad and widget lines, date-only and date-stamp lines,
   one-line promos in many languages ("READ MORE: ...", "Lea también: ...", "Les også:"),
   teaser lines ending in a "more" link, short lines that are one worded link or end in a
   linked "here" (not when they make up the body: a list of links stays for the verdict),
   newsletter signup prompts, picture credits ("Image copyright EPA", "© X/Agency";
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

A recipe's ingredient lists (``itemprop="recipeIngredient"``) outside the chosen container
join it in document order: the method's paragraphs win the scoring, the ingredients score
nothing, and the markup says they are the recipe's text.

Images are the ``<img>`` of the kept container with absolute ``src``; the caption is
the ``<figcaption>`` or, as on many Chinese pages, a short centred/grey/small paragraph
right after an image-only paragraph (that caption also stays a text block).

The stages live in this package, one module each: ``score`` (stage 1), ``blocks`` (stage 2),
``trim`` (stage 3, its pointer-line tests in ``pointers``), ``render`` (the HTML) and
``images``; ``markup`` holds what they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.parsing.body.blocks import Emitter
from crawler.parsing.body.images import images_of, reindex
from crawler.parsing.body.render import to_html
from crawler.parsing.body.score import Scan, containers, with_ingredients
from crawler.parsing.body.trim import title_keys, trim
from crawler.parsing.page import Page
from crawler.parsing.record import Image
from crawler.parsing.selectors import select_elements


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
    scan: Scan | None = None
    if selector:
        # CSS or "xpath: ..."; a selector that fails matches nothing; only the outermost matches
        roots = select_elements(tree, selector)
    if not roots:
        scan = Scan()
        scan.run(tree)
        if not scan.order:  # everything sat in furniture-named boxes: score them after all
            scan = Scan(mute_furniture=False)
            scan.run(tree)
        roots = containers(page, scan)
        if "recipeIngredient" in page.html:
            roots = with_ingredients(tree, roots)
    emitter = Emitter(page, scan)
    emitter.captions = captions
    for root in roots:
        emitter.walk_root(root)
    raw = emitter.blocks
    kept = trim(raw, title_keys(page, title))
    images = images_of(emitter.pics, raw, kept)
    pics = reindex(emitter.pics, raw, kept, images)
    prose = 0
    if scan is not None and (body_el := tree.body) is not None:
        prose = scan.good(body_el)
    return Body(blocks=[b.text for b in kept], html=to_html(kept, pics) if kept else None, images=images,
                page_prose=prose)


__all__ = ["Body", "extract_body"]
