"""Is this page an article? Listing, archive, author and "about" pages must not be stored.

A page with a headline and a main text is an article unless there is strong evidence that
it is something else; a missing date is no such evidence (many real articles carry none a
parser can read). Evidence that it is an article, strongest first: JSON-LD of an article
type; ``og:type=article`` (weak: Yoast puts it on every WordPress page) or exactly one
``<article>`` element. Evidence against, each enough alone unless the page has JSON-LD of
an article type:

- structured data naming a listing, search or profile page;
- the page-type classes CMSs put on ``<body>`` (WordPress ``archive``/``category``/``tag``/
  ``author``/``search``/``home``/``blog``/``paged``/``error404``, Drupal ``path-frontpage``/
  ``path-taxonomy``, Ghost ``tag-template``/``author-template``/``home-template``), unless a
  class says it is a single post;
- a headline that is a listing's label ("Category: ...", "Search results for", 标签：...)
  or says the page was not found (a soft 404);
- the address: the site's root (a home page), a last path segment naming the page kind
  (``/tag/x``, ``/about``, ``/impressum``, ``/category-9.html``), or a one-word section
  (``/guonei/``) on a page with a "next page" link;
- a body that is really a list of teasers: several blocks that are the texts of links on
  the page, or several blocks cut off with an ellipsis as excerpts are (for a page that
  declares itself an article only when the list is the greater part of the body, and never
  when the body opens with prose of its own: that is an article followed by teasers).

Measured on hand-written non-article pages and the shared dev sets with
``python -m benchmarks.bench_kind``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.parsing.clean import weighs_less
from crawler.parsing.jsonld import STORY_TYPES
from crawler.parsing.page import Page, squash

LINKED_SHARE = 0.5  # of the body's characters in link texts: a listing or a menu, not an article
LINKED_SHARE_DECLARED = 0.75  # the same for a page that declares itself an article
_KEY = 6
# An address of one item: a slug of four or more words, or a numeric id of five or more digits.
_ARTICLE_ADDRESS = re.compile(r"[^/]*\w-\w+-\w+-\w[^/]*/?$|\d{5,}")
_LIST_MARK = re.compile(r"^[-•·*▪►]\s*")
LEAD_PROSE = 600  # text_weight units of prose before the first excerpt that make the page an article
_ELLIPSES = ("...", "…", "[…]", "[...]")
_LISTING_SEGMENT = re.compile(r"tag|topic|categor|kategorie|rubrik|author|autor|search|suche|archiv|list", re.I)
_SECTION_WORD = re.compile(r"[a-z]{2,20}", re.I)  # /guonei/, /sport/: one word, no slug, no id
_NEXT_PAGE = frozenset({"下一页", "下页", "下一頁", "next", "next page", "next »", "›", "»", "nächste", "nächste seite",
                        "weiter", "suivant", "page suivante", "siguiente", "次へ", "다음"})
# WordPress, Drupal and Ghost body classes (each CMS's own page-type vocabulary).
_SINGLE_CLASSES = frozenset({"single", "single-post", "post-template", "page-node-type-article", "node-type-article"})
_LISTING_CLASSES = frozenset({"archive", "category", "tag", "author", "date", "search", "search-results",
                              "search-no-results", "home", "blog", "paged", "path-frontpage", "path-taxonomy",
                              "tag-template", "author-template", "home-template", "page-taxonomy-term"})
_NOT_FOUND_CLASSES = frozenset({"error404", "error-404", "page-404", "not-found"})
_PAGE_CLASSES = frozenset({"privacy-policy", "login", "page-node-type-page", "page-user-login"})
# A listing's headline: "Category: Local", "Tag: flooding", "Search results for ...", 标签：...
_LISTING_LABEL = re.compile(
    r"^(?:category|tag|tagged|topic|author|archives?|monthly archives?|yearly archives?|daily archives?|"
    r"kategorie|schlagwort|autor|archiv|catégorie|étiquette|auteur|archives|categoría|etiqueta|autor|archivo|"
    r"categoria|tag|autore|archivio)\s*[:：]|^search results\b|\bresults? for\s*[\"“'‘«„]|^suchergebnisse\b|"
    r"^résultats de (?:la )?recherche\b|^resultados de (?:la )?búsqueda\b|^(?:nothing found|nichts gefunden|"
    r"aucun résultat|no se encontr)|^(?:标签|標籤|栏目|分类|搜索结果|搜尋結果|作者文章)\s*[:：]?", re.I)
NON_ARTICLE_TYPES = ("CollectionPage", "ProfilePage", "SearchResultsPage", "AboutPage", "ContactPage", "ItemList")
_ARTICLE_OG_TYPES = ("article", "news", "news.article", "blog", "blogposting")

# Path segments that name a page kind, in the languages the crawler meets most. Matched as whole
# segments (``/tag/``, ``/about-us``), never inside words.
_NON_ARTICLE_SEGMENT = re.compile(
    r"^(?:tags?|topics?|category|categories|kategorie|rubrik|author|authors|autor|autoren|search|suche|"
    r"archives?|archiv|about(?:-us)?|ueber-uns|uber-uns|contact(?:-us)?|kontakt|impressum|imprint|"
    r"privacy(?:-policy)?|datenschutz|datenschutzerklaerung|terms|agb|cgu|login|register|sitemap|page-not-found|"
    r"mentions-legales|aviso-legal|a-propos|quienes-somos|contacto|newsletters?|subscribe|staff|copyright|disclaimer|"
    r"legal|list|lists)"
    r"(?:[-_][\d_]+)?(?:\.(?:s?html?|php|aspx?))?$", re.I)
# A soft 404's headline or <title>: "404", "Error 404", "Page not found" and its translations.
_NOT_FOUND = re.compile(
    r"^\W*404\b|\b(?:error|fehler|erreur|errore)\s*404\b|\b404\s*(?:error|fehler|[-–—:|])|"
    r"\b(?:page|seite|site) (?:not found|nicht gefunden|introuvable)|\bpage non trouv[ée]e|"
    r"p[aá]gina no encontrada|pagina non trovata|^\W*(?:not found|nicht gefunden)\W*$|"
    r"页面不存在|页面未找到|找不到(?:该)?页面|頁面不存在|ページが見つかりません", re.I)


def has_article_jsonld(page: Page) -> bool:
    """JSON-LD of an article type (a bare WebPage is not one)."""
    return bool(page.jsonld_of_type(*STORY_TYPES))


def has_article_markup(page: Page) -> bool:
    """JSON-LD article types, og:type=article, or exactly one ``<article>`` element (a
    listing marks up each teaser as one)."""
    if has_article_jsonld(page):
        return True
    if page.meta.get("og:type", "").lower() in _ARTICLE_OG_TYPES:
        return True
    return sum(1 for _ in page.tree.iter("article")) == 1


def _has_pager(page: Page) -> bool:
    """A "next page" link, as listings paginate (articles split over pages have one too, so
    this is evidence only beside a section-like address)."""
    return any(squash(text).lower() in _NEXT_PAGE for text in page.link_texts)


def _address_kind(page: Page) -> str | None:
    """What the URL says the page is: the site's root (with a list of linked headings, as a
    home page shows its latest posts) or a kind-naming path segment. A query with digits
    (``/?p=959``, ``index.php?newsID=111``) addresses one item, so it says nothing."""
    parts = urlsplit(page.url)
    if parts.scheme not in ("http", "https") or re.search(r"\d", parts.query):
        return None
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not segments or len(segments) == 1 and re.fullmatch(r"(?:index|default|home)\.\w{2,5}", segments[0], re.I):
        return "its address is the site's home page"
    if len(segments) == 1 and path.endswith("/") and _SECTION_WORD.fullmatch(segments[0]) and _has_pager(page):
        return f"its address is a section (/{segments[0]}/) with a pager"
    named = _NON_ARTICLE_SEGMENT.match(segments[-1])
    if not named and len(segments) <= 2 and not re.search(r"\d{3,}|-.*-.*-", path):
        named = _NON_ARTICLE_SEGMENT.match(segments[0])
    if named:
        what = "a listing" if _LISTING_SEGMENT.match(named.group(0)) else "a non-article page"
        return f"its address names {what} (/{'/'.join(segments)})"
    return None


def _body_class_kind(page: Page) -> str | None:
    """The page type a CMS wrote into ``<body class>``, when it names a non-article page."""
    body = page.tree.body
    classes = set((body.get("class") or "").lower().split()) if body is not None else set()
    if not classes or classes & _SINGLE_CLASSES or any(c.startswith(("postid-", "single-")) for c in classes):
        return None
    if classes & _NOT_FOUND_CLASSES:
        return "its body class says the page was not found"
    if found := sorted(classes & _LISTING_CLASSES):
        return f"its body class names a listing ({' '.join(found)})"
    if found := sorted(classes & _PAGE_CLASSES):
        return f"its body class names a non-article page ({' '.join(found)})"
    return None


def _headline_kind(page: Page, title: str | None) -> str | None:
    """What the visible headline says the page is: a listing's label or "not found"."""
    for el in page.tree.iter("h1"):
        text = squash(el.text_content())[:200]
        if text and _LISTING_LABEL.search(text):
            return f"its headline is a listing's label ({text[:60]})"
    for shown in (title, page.doc_title[:200]):
        if shown and _NOT_FOUND.search(shown):
            return "the headline says the page was not found"
    return None


def _linked_share(page: Page, blocks: list[str]) -> float:
    """The share of the body's characters that are link texts on the page: a block that is a
    link's text (a navigation item, a teaser title), or that opens with one covering most of
    it (a list item "title + date"). List markers are passed over."""
    texts: dict[str, list[str]] = {}
    for raw in page.link_texts:
        text = squash(raw)
        if len(text) >= 2:
            texts.setdefault(text[:_KEY], []).append(text)
    linked = total = 0
    for block in blocks:
        text = _LIST_MARK.sub("", block)
        total += len(text)
        for candidate in texts.get(text[:_KEY], ()):
            if text == candidate or len(candidate) >= 8 and len(candidate) * 5 >= len(text) * 3 \
                    and text.startswith(candidate):
                linked += len(candidate)
                break
    return linked / total if total else 0.0


def not_article_reason(page: Page, blocks: list[str], published_at: str | None, title: str | None = None) -> str | None:
    """Why the page is not an article, or None when it may be one."""
    markup = has_article_markup(page)
    strong = has_article_jsonld(page)
    if not markup and page.jsonld_of_type(*NON_ARTICLE_TYPES):
        return "structured data says it is a listing or profile page"
    og_type = page.meta.get("og:type", "").lower()
    if og_type == "profile" and not markup:
        return "og:type is profile"
    if not strong:
        for reason in (_body_class_kind(page), _headline_kind(page, title), _address_kind(page)):
            if reason:
                return reason
    # A dated page at an article's address (a long slug, a long numeric id) whose body came out
    # link-heavy is an article the extractor misread, not a listing.
    one_item = bool(published_at) and _ARTICLE_ADDRESS.search(urlsplit(page.url).path) is not None
    if len(blocks) >= 3 and not one_item \
            and _linked_share(page, blocks) >= (LINKED_SHARE_DECLARED if markup else LINKED_SHARE):
        return "listing page (most of its text is the text of links)"
    link_texts = {squash(t) for t in page.link_texts if len(t.strip()) >= 8}
    linked = sum(1 for b in blocks if b in link_texts)
    share = 4 if markup else 2  # linked blocks must make up 3/4 (declared article) or half of the body
    if linked >= 3 and linked * share >= len(blocks) * (3 if markup else 1) and not one_item:
        return f"listing page ({linked} of {len(blocks)} blocks are link texts)"
    cut = [i for i, b in enumerate(blocks) if b.endswith(_ELLIPSES)]
    lead = "".join(blocks[: cut[0]]) if cut else ""
    # An article followed by a list of teasers opens with its own prose; a listing opens with
    # its first teaser (or a heading or two above it).
    if len(cut) >= 3 and len(cut) * (2 if markup else 3) >= len(blocks) and weighs_less(lead, LEAD_PROSE):
        return f"listing page ({len(cut)} of {len(blocks)} blocks are cut-off excerpts)"
    return None


def kind_of(reason: str) -> str:
    """The page kind a ``not_article_reason`` names."""
    if "listing" in reason or "home page" in reason:
        return "listing"
    if "profile" in reason:
        return "profile"
    return "page"
