"""Is this page an article? Listing, archive, author and "about" pages must not be stored.

Evidence for an article: JSON-LD of an article type, ``og:type=article``, or a publication
date. Evidence against: an ``og:type`` that names something else (website, profile), or a
body that is really a list of teasers (several blocks that are the texts of links on the
page, or several blocks cut off with an ellipsis, as excerpts are).
"""

from __future__ import annotations

from crawler.parsing.metadata import ARTICLE_TYPES
from crawler.parsing.page import Page, squash

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
    if og_type and not markup and og_type in ("website", "profile", "blog", "object"):
        return f"og:type is {og_type}"
    link_texts = {squash(t) for t in page.tree.xpath("//body//a//text()") if len(t.strip()) >= 8}
    linked = sum(1 for b in blocks if b in link_texts)
    if linked >= 3 and linked * 4 >= len(blocks):
        return f"listing page ({linked} of {len(blocks)} blocks are link texts)"
    teasers = sum(1 for b in blocks if b.endswith(("...", "…", "[…]", "[...]")))
    if teasers >= 3 and teasers * 3 >= len(blocks):
        return f"listing page ({teasers} of {len(blocks)} blocks are cut-off excerpts)"
    if not markup and not published_at:
        return "no publication date and no article markup"
    return None
