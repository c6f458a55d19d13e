"""Make ``body_html`` safe to republish, and page URLs absolute.

Records are republished from the store, so their HTML is treated as hostile whatever
produced it (the generic extractor escapes text, but a profile selector, a future parser
stage or an old row in the database may not). ``sanitize_html`` runs nh3 (the ammonia
sanitiser) with a small allow-list of article tags: no ``<script>``/``<style>`` (content
removed too), no event handlers, no ``style`` or ``class`` attributes, and only http(s)
links and images (``mailto:`` links too). Relative ``href``/``src`` values are resolved
against the page URL, because a republished fragment no longer lives beside the page it
came from; a value that resolves to any other scheme is dropped.

nh3 does not re-check a value returned by an attribute filter, so the filter below does
its own scheme check after resolving; the base URL reaches it through a thread-local,
which lets one compiled ``Cleaner`` serve every page.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "figure",
    "figcaption", "img", "a", "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "time", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "hr", "span", "div",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# Removed together with their content: what is inside them is never article text.
DROP_WITH_CONTENT = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                               "math", "form", "button", "select", "textarea", "head", "title"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
MEDIA_SCHEMES = frozenset({"http", "https"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

_context = threading.local()
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")  # what browsers ignore inside a URL (a printable text has none)


# An href of these characters only: nothing ``urljoin`` would remove (controls, spaces),
# validate (``[ ]``, a non-ASCII host) or split off as params (``;``).
_PLAIN_HREF = re.compile(r"[-A-Za-z0-9._~!$&'()*+,/:=@%?#]+")


@lru_cache(maxsize=512)
def base_origin(base: str) -> str | None:
    """``scheme://netloc`` of an absolute http(s) ``base`` as ``urljoin`` rebuilds it, or None
    when ``base`` is unusual (then ``join_url`` always defers to ``urljoin``)."""
    if not base.startswith(("http://", "https://")) or not _PLAIN_HREF.fullmatch(base):
        return None
    netloc = urlsplit(base).netloc
    return f"{base[:base.index(':')]}://{netloc}" if netloc else None


def join_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, exactly, in a fraction of the time for the two shapes most
    links of a page have: an absolute http(s) URL and a path from the root (``/news/1.html``)
    without dot segments.

    A page has a hundred links or more and ``urljoin`` parses both URLs every time: that
    was a quarter of the parse time of a benchmark page whose links are followed. An empty query or fragment
    (``?`` or ``#`` at the end, ``?#``) is what ``urljoin`` drops, so those take the long way."""
    origin = base_origin(base)
    if origin is not None and _PLAIN_HREF.fullmatch(href) and not href.endswith(("?", "#")) and "?#" not in href:
        if href.startswith("/"):
            if not href.startswith("//") and "/." not in href:
                return origin + href
        elif href.startswith(("http://", "https://")) and href[href.index("/") + 2: href.index("/") + 3].isalnum():
            return href  # a host follows: urljoin rebuilds this string as it is
    return urljoin(base, href)


def absolute_url(value: str | None, base: str | None, schemes: frozenset[str] = MEDIA_SCHEMES) -> str | None:
    """``value`` resolved against ``base``; None unless the result uses one of ``schemes``.

    Control characters and spaces inside a scheme (``java\\tscript:``) are what browsers
    ignore, so they are removed before the scheme is read.
    """
    if not value:
        return None
    cleaned = value.strip()
    if not cleaned.isprintable():  # in C; the regex only for the rare URL with a control character
        cleaned = _CONTROLS.sub("", cleaned)
    if not cleaned:
        return None
    resolved = join_url(base, cleaned) if base else cleaned
    parts = urlsplit(resolved)
    if parts.scheme.lower() not in schemes:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    return resolved


def _absolute_url_plain(value: str | None, base: str | None, schemes: frozenset[str] = MEDIA_SCHEMES) -> str | None:
    """The readable form; absolute_url must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    cleaned = "".join(ch for ch in (value or "").strip() if ch >= " " and ch != "\x7f")
    if not cleaned:
        return None
    resolved = urljoin(base, cleaned) if base else cleaned
    parts = urlsplit(resolved)
    if parts.scheme.lower() not in schemes or not parts.netloc:
        return None
    return resolved



def _filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in URL_ATTRIBUTES:
        return value
    base = getattr(_context, "base", None)
    schemes = LINK_SCHEMES if (tag, attribute) == ("a", "href") else MEDIA_SCHEMES
    if base is None:
        # No page URL to resolve against: keep scheme-less relative paths as they are.
        if not urlsplit(value.strip()).scheme and not value.strip().startswith("//"):
            return value
    return absolute_url(value, base, schemes)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def sanitize_html(html: str | None, base_url: str | None = None) -> str | None:
    """``html`` as a fragment safe to embed in another page (None or empty stays None)."""
    if not html or not html.strip():
        return None
    _context.base = base_url
    try:
        cleaned = _cleaner().clean(html)
    finally:
        _context.base = None
    return cleaned.strip() or None
