"""Whether the page says its article is not free (``Record.paywalled``).

What a page says, most trustworthy first:

1. its structured data: the article's JSON-LD object (``jsonld_article``, nested in
   ``@graph``/``mainEntity`` included; a plain ``WebPage`` object of the page when the article
   says nothing) with ``isAccessibleForFree`` (a boolean, or the string ``"false"``/``"False"``),
   and its ``hasPart`` sections (``{"@type": "WebPageElement", "isAccessibleForFree": false,
   "cssSelector": ".paywall"}``, Google's markup for paywalled content). The object's own value
   wins over its parts'; any part not free makes the page paywalled, parts that are all free
   make it free. A page whose structured data says it is free is not paywalled, whatever its
   markup says.
2. ``<meta property="article:content_tier">``: ``locked`` or ``metered`` is paywalled,
   ``free`` is not.
3. paywall markup, read conservatively since sites put paywall containers on every page,
   free or not: a ``data-paywall``/``data-paywalled`` attribute that says ``true``, or an
   element whose class or id is exactly ``paywall`` or ``paywalled`` that shows text (an
   empty container is a placeholder a script may fill), is not the page's ``<html>`` or
   ``<body>`` and does not hold the article body (``itemprop="articleBody"``: a site that
   marks its body as the paywalled part while serving all of it). Names that merely contain
   the word (``paywall-loader``, ``non-paywall``, ``steady-paywall-container``), vendor
   boxes (Piano, tinypass), and subscribe or newsletter boxes say nothing.

``None`` when the page says nothing. Pure: the page in, a flag out.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from crawler.parsing.jsonld import PLAIN_PAGE, jsonld_article, jsonld_objects
from crawler.parsing.page import Page, jsonld_types
from crawler.parsing.sources import attempt

_CLOSED_TIERS = {"locked", "metered"}
_OPEN_TIERS = {"free"}
_TIER_KEYS = ("article:content_tier", "og:article:content_tier", "content_tier")
# how pages write the word (a C-level search for each spares the tree walk on most pages)
_PAYWALL_SPELLINGS = ("aywall", "ayWall", "AYWALL")
_PAYWALL_NAMES = {"paywall", "paywalled"}
# elements whose class or id may name a paywall (the exact token is checked in Python: cheaper
# than XPath 1.0's translate() over every element), or that carry a paywall data attribute
_MARKUP = etree.XPath("//*[@data-paywall or @data-paywalled or "
                      + " or ".join(f'contains(@{attr}, "{spelling}")' for attr in ("class", "id")
                                    for spelling in _PAYWALL_SPELLINGS) + "]")
_HOLDS_BODY = etree.XPath('descendant-or-self::*[@itemprop="articleBody"]')
_NOT_A_BOX = {"html", "body", "head", "script", "style", "template", "noscript", "svg", "symbol", "meta", "link"}


def _free(value: Any) -> bool | None:
    """``isAccessibleForFree`` as a flag: True, False, or None when it says nothing."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def _structured(obj: dict[str, Any]) -> bool | None:
    """What one JSON-LD object says: paywalled (True), free (False) or nothing (None)."""
    own = _free(obj.get("isAccessibleForFree"))
    if own is not None:
        return not own
    parts = obj.get("hasPart")
    said = [_free(part.get("isAccessibleForFree")) for part in (parts if isinstance(parts, list) else [parts])
            if isinstance(part, dict)]
    said = [s for s in said if s is not None]
    if not said:
        return None
    return not all(said)


def _from_jsonld(page: Page) -> bool | None:
    if "isAccessibleForFree" not in page.html:
        return None  # (a C-level search spares the JSON-LD walk on most pages)
    article = jsonld_article(page)
    said = _structured(article) if article else None
    if said is None:
        pages = (obj for obj in jsonld_objects(page) if obj is not article and jsonld_types(obj) == {PLAIN_PAGE})
        said = next((s for obj in pages if (s := _structured(obj)) is not None), None)
    return said


def _from_tier(page: Page) -> bool | None:
    for key in _TIER_KEYS:
        tier = page.meta.get(key, "").strip().lower()
        if tier in _CLOSED_TIERS:
            return True
        if tier in _OPEN_TIERS:
            return False
    return None


def _from_markup(page: Page) -> bool | None:
    html = page.html
    if not any(spelling in html for spelling in _PAYWALL_SPELLINGS):
        return None
    for el in _MARKUP(page.tree):
        if not isinstance(el.tag, str) or el.tag in _NOT_A_BOX:
            continue
        flag = el.get("data-paywall") if el.get("data-paywall") is not None else el.get("data-paywalled")
        if flag is not None:
            if flag.strip().lower() in ("true", "1", "yes"):
                return True
            continue
        names = set((el.get("class") or "").lower().split()) | {(el.get("id") or "").strip().lower()}
        if not names & _PAYWALL_NAMES:
            continue
        if _HOLDS_BODY(el):
            continue
        if el.text_content().strip():
            return True
    return None


def extract_paywalled(page: Page) -> bool | None:
    """True when the page says its article is not free, False when it says it is, None when
    it says nothing: structured data, then ``article:content_tier``, then paywall markup."""
    for source in (_from_jsonld, _from_tier, _from_markup):
        said = attempt(source, page)
        if said is not None:
            return said
    return None
