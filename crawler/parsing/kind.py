"""Is this page an article? Listing, archive, author and "about" pages must not be stored.

A page with a headline and a main text is an article unless there is strong evidence that
it is something else; a missing date is no such evidence (many real articles carry none a
parser can read). Evidence that it is an article: JSON-LD of an article type,
``og:type=article``, or one ``<article>`` element. Evidence against, each enough alone:

- structured data naming a listing, search or profile page (and no article type beside it);
- a body that is really a list of teasers: several blocks that are the texts of links on
  the page, or several blocks cut off with an ellipsis as excerpts are (for a page that
  declares itself an article only when the list is the greater part of the body);
- an undated page without article markup whose address or headline says what it is: the
  site's root, a tag, category, author, search or archive path, an about, contact, imprint or
  privacy page, or a "page not found" headline (a soft 404).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from crawler.parsing.clean import weighs_less
from crawler.parsing.metadata import ARTICLE_TYPES
from crawler.parsing.page import Page, squash

LEAD_PROSE = 600  # text_weight units of prose before the first excerpt that make the page an article
_ELLIPSES = ("...", "…", "[…]", "[...]")
_LINKED_HEADINGS = etree.XPath("//body//*[self::h2 or self::h3 or self::h4][.//a[@href]]")
NON_ARTICLE_TYPES = ("CollectionPage", "ProfilePage", "SearchResultsPage", "AboutPage", "ContactPage", "ItemList")
_ARTICLE_OG_TYPES = ("article", "news", "news.article", "blog", "blogposting")

# Path segments that name a page kind, in the languages the crawler meets most. Matched as whole
# segments (``/tag/``, ``/about-us``), never inside words.
_NON_ARTICLE_SEGMENT = re.compile(
    r"^(?:tags?|topics?|category|categories|kategorie|rubrik|author|authors|autor|autoren|search|suche|"
    r"archives?|archiv|about(?:-us)?|ueber-uns|uber-uns|contact(?:-us)?|kontakt|impressum|imprint|"
    r"privacy(?:-policy)?|datenschutz|terms|agb|login|register|sitemap|page-not-found|404|"
    r"mentions-legales|a-propos|quienes-somos|contacto|about\.html?|contact\.html?|list|lists)$", re.I)
_NOT_FOUND = re.compile(
    r"\b(?:404|page not found|not found|seite nicht gefunden|page (?:introuvable|non trouv[ée]e)|"
    r"p[aá]gina no encontrada|pagina non trovata|nicht gefunden)\b|页面不存在|页面未找到|找不到(?:该)?页面|"
    r"您访问的页面|頁面不存在", re.I)


def has_article_markup(page: Page) -> bool:
    """JSON-LD article types, og:type=article, or exactly one ``<article>`` element (a
    listing marks up each teaser as one)."""
    if page.jsonld_of_type(*[t for t in ARTICLE_TYPES if t != "WebPage"]):
        return True
    if page.meta.get("og:type", "").lower() in _ARTICLE_OG_TYPES:
        return True
    return sum(1 for _ in page.tree.iter("article")) == 1


def _teaser_headings(page: Page) -> int:
    """Headings that are links: the titles of a listing's teasers."""
    return sum(1 for _ in _LINKED_HEADINGS(page.tree))


def _address_kind(page: Page) -> str | None:
    """What the URL says the page is: the site's root (with a list of linked headings, as a
    home page shows its latest posts) or a kind-naming path segment. A query with digits
    (``/?p=959``, ``index.php?newsID=111``) addresses one item, so it says nothing."""
    parts = urlsplit(page.url)
    if re.search(r"\d", parts.query):
        return None
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not segments or re.fullmatch(r"(?:index|default|home)\.\w{2,5}", segments[-1], re.I) and len(segments) == 1:
        if _teaser_headings(page) >= 3:
            return "the site's home page (a list of linked headings)"
        return None
    if _NON_ARTICLE_SEGMENT.match(segments[-1]) or (len(segments) <= 2 and _NON_ARTICLE_SEGMENT.match(segments[0])
                                                    and not re.search(r"\d{3,}|-.*-.*-", path)):
        return f"its address names a non-article page (/{'/'.join(segments)})"
    return None


def not_article_reason(page: Page, blocks: list[str], published_at: str | None, title: str | None = None) -> str | None:
    """Why the page is not an article, or None when it may be one."""
    markup = has_article_markup(page)
    if not markup and page.jsonld_of_type(*NON_ARTICLE_TYPES):
        return "structured data says it is a listing or profile page"
    og_type = page.meta.get("og:type", "").lower()
    if og_type == "profile" and not markup:
        return "og:type is profile"
    link_texts = {squash(t) for t in page.link_texts if len(t.strip()) >= 8}
    linked = sum(1 for b in blocks if b in link_texts)
    share = 4 if markup else 2  # linked blocks must make up 3/4 (declared article) or half of the body
    if linked >= 3 and linked * share >= len(blocks) * (3 if markup else 1):
        return f"listing page ({linked} of {len(blocks)} blocks are link texts)"
    cut = [i for i, b in enumerate(blocks) if b.endswith(_ELLIPSES)]
    lead = "".join(blocks[: cut[0]]) if cut else ""
    # An article followed by a list of teasers opens with its own prose; a listing opens with
    # its first teaser (or a heading or two above it).
    if len(cut) >= 3 and len(cut) * (2 if markup else 3) >= len(blocks) and weighs_less(lead, LEAD_PROSE):
        return f"listing page ({len(cut)} of {len(blocks)} blocks are cut-off excerpts)"
    if not markup and not published_at:
        if title and _NOT_FOUND.search(title):
            return "the headline says the page was not found"
        if where := _address_kind(page):
            return f"no date, no article markup, and {where}"
    return None


def kind_of(reason: str) -> str:
    """The page kind a ``not_article_reason`` names."""
    if "listing" in reason or "home page" in reason:
        return "listing"
    if "profile" in reason:
        return "profile"
    return "page"
