"""URL normalisation shared by the parser, the spiders and the store.

A canonical URL is what makes "the same article" one row: scheme and host lower-cased,
default ports, fragments and tracking parameters dropped, query keys sorted, and
``index.html``-style defaults kept as they are (servers differ on them).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|spm|from|"
    r"share_token|ref|ref_src|ref_url|cmpid|ncid|_ga|_gl|scene|srcid|s_cid|wt\.mc_id)$",
    re.I,
)
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac", "or", "ne", "go", "gob", "mil"}


def canonicalize(url: str) -> str:
    """The canonical form of ``url`` used as the article key."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    if port == 443 and scheme == "https" or port == 80 and scheme == "http":
        netloc = host
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def registered_domain(host_or_url: str) -> str:
    """The registrable domain (``news.example.co.uk`` -> ``example.co.uk``); IPs stay as they are."""
    host = urlsplit(host_or_url).hostname if "//" in host_or_url else host_or_url
    host = (host or "").lower().rstrip(".")
    if not host or re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host) or "." not in host:
        return host
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    """True when two URLs belong to the same registrable domain (or the same IP host)."""
    return registered_domain(a) == registered_domain(b)


