"""A profile's ``[fetch]`` table: how to fetch this one site (user agent, extra headers,
cookies, basic auth, an HTTP proxy), validated when the profile loads.

Applied by ``crawler.middlewares.FetchOptionsMiddleware`` to the requests for the site's
own hosts only: a second site crawled in the same process never sees them, and a redirect
to another host does not carry the site's credentials there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

KEYS = ("user_agent", "headers", "cookies", "basic_auth", "proxy")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110 token)


@dataclass(frozen=True)
class FetchOptions:
    """The ``[fetch]`` table of one profile (every part optional)."""

    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    basic_auth: tuple[str, str] | None = None
    proxy: str | None = None

    def __bool__(self) -> bool:
        return bool(self.user_agent or self.headers or self.cookies or self.basic_auth or self.proxy)


def parse_fetch(table: dict[str, Any]) -> FetchOptions:
    """The table as FetchOptions; ValueError("key: reason") for anything unknown or malformed."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ValueError(f"fetch.{unknown[0]}: unknown key (known: {', '.join(KEYS)})")
    ua = table.get("user_agent")
    if ua is not None and (not isinstance(ua, str) or not ua.strip() or "\n" in ua or "\r" in ua):
        raise ValueError("fetch.user_agent: expected a one-line string")
    headers = _strings(table.get("headers", {}), "fetch.headers")
    for name in headers:
        if not _TOKEN.match(name):
            raise ValueError(f"fetch.headers: {name!r} is not a header name")
    cookies = _strings(table.get("cookies", {}), "fetch.cookies")
    for name in cookies:
        if not _TOKEN.match(name):
            raise ValueError(f"fetch.cookies: {name!r} is not a cookie name")
    auth = None
    if "basic_auth" in table:
        raw = _strings(table["basic_auth"], "fetch.basic_auth")
        if set(raw) != {"user", "password"}:
            raise ValueError("fetch.basic_auth: expected a table with user and password")
        if ":" in raw["user"]:
            raise ValueError("fetch.basic_auth: the user must not contain ':'")
        auth = (raw["user"], raw["password"])
    proxy = table.get("proxy")
    if proxy is not None:
        parts = urlsplit(proxy) if isinstance(proxy, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"fetch.proxy: {proxy!r} is not an http(s)://host:port URL")
    return FetchOptions(ua, headers, cookies, auth, proxy)


def _strings(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"{key}: expected a table of strings")
    for v in value.values():
        if "\n" in v or "\r" in v:
            raise ValueError(f"{key}: values must be one line")
    return dict(value)
