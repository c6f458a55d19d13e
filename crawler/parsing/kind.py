"""Is this page an article? Listing, archive, author and "about" pages must not be stored.

Evidence for an article: JSON-LD of an article type, ``og:type=article``, or a publication
date. Evidence against: structured data naming a listing or profile page, or a
body that is really a list of teasers (several blocks that are the texts of links on the
page, or several blocks cut off with an ellipsis, as excerpts are).
"""

from __future__ import annotations

from crawler.parsing.clean import weighs_less
from crawler.parsing.metadata import ARTICLE_TYPES
from crawler.parsing.page import Page, squash

SHORT_UNDATED = 1200  # text_weight units
NON_ARTICLE_TYPES = ("CollectionPage", "ProfilePage", "SearchResultsPage", "AboutPage", "ContactPage", "ItemList")


def has_article_markup(page: Page) -> bool:
    """JSON-LD article types or og:type=article."""
    if page.jsonld_of_type(*[t for t in ARTICLE_TYPES if t != "WebPage"]):
        return True
    return page.meta.get("og:type", "").lower() in ("article", "news", "news.article")


def not_article_reason(page: Page, blocks: list[str], published_at: str | None) -> str | None:
    """Why the page is not an article, or None when it may be one."""
    markup = has_article_markup(page)
    if not markup and page.jsonld_of_type(*NON_ARTICLE_TYPES):
        return "structured data says it is a listing or profile page"
    og_type = page.meta.get("og:type", "").lower()
    if og_type == "profile" and not markup:
        return "og:type is profile"
    link_texts = {squash(t) for t in page.link_texts if len(t.strip()) >= 8}
    linked = sum(1 for b in blocks if b in link_texts)
    if linked >= 3 and linked * 2 >= len(blocks):
        return f"listing page ({linked} of {len(blocks)} blocks are link texts)"
    teasers = sum(1 for b in blocks if b.endswith(("...", "…", "[…]", "[...]")))
    if teasers >= 3 and teasers * 3 >= len(blocks):
        return f"listing page ({teasers} of {len(blocks)} blocks are cut-off excerpts)"
    if not markup and not published_at and weighs_less("".join(blocks), SHORT_UNDATED):
        # Real articles without any date exist, but then they are rarely short; about,
        # contact and landing pages are.
        return "no publication date, no article markup and a short text"
    return None


def kind_of(reason: str) -> str:
    """The page kind a ``not_article_reason`` names."""
    if reason.startswith("listing") or "listing" in reason:
        return "listing"
    if "profile" in reason:
        return "profile"
    return "page"
