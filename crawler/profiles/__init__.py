"""Site profiles: one TOML file per site, validated when loaded.

A profile says where a site's articles are found (start pages, sitemaps, feeds), which
URLs are articles or listings, how hard to crawl it, how to read its pages (time zone,
language, selectors that override the generic parsers, title prefixes it injects, whether
its pages are built by script and must be rendered in a browser: ``render``) and how to
store its text (``script``). Site routing is data, not code: spiders read a profile,
they are never edited per site.

Profiles are looked up by name in ``$NEWSCRAWL_PROFILES`` (a directory), then in this
package's directory, or given as a path to a ``.toml`` file. An invalid profile fails at
load time with the file, the key and the reason.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.parsing import ParseOptions
from crawler.parsing.selectors import SELECTOR_FIELDS, SelectorError, compile_selector
from crawler.profiles.fetch import FetchOptions, parse_fetch

PACKAGE_DIR = Path(__file__).resolve().parent
SCRIPTS = ("keep", "simplified", "traditional")
RENDER_MODES = ("html", "browser")  # render: parse the fetched HTML, or the DOM a headless browser built from it


class ProfileError(ValueError):
    """A profile that cannot be used: names the file, the key and the reason."""

    def __init__(self, path: Path | str, key: str | None, reason: str) -> None:
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + reason)
        self.path, self.key, self.reason = str(path), key, reason


@dataclass(frozen=True)
class SiteProfile:
    """One site's crawl and parse settings (see ``crawler/profiles/example.toml``)."""

    name: str
    path: str = ""
    allowed_domains: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    listing_patterns: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = ()
    article_selector: str | None = None
    min_body_chars: int | None = None
    max_depth: int = 5
    max_listing_pages: int = 200
    timezone: str | None = None
    language: str | None = None
    delay: float | None = None
    concurrency: int | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    title_prefixes: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    script: str = "keep"
    refresh_hours: float | None = None
    allow_private: bool = False
    fetch: FetchOptions = field(default_factory=FetchOptions)  # [fetch]: this site's UA, headers, auth...
    render: str = "html"  # "browser": article and listing pages are rendered by headless Chromium (crawler.render)

    @property
    def renders(self) -> bool:
        """Whether this site's pages go through a browser before they are parsed."""
        return self.render == "browser"

    def parse_options(self) -> ParseOptions:
        """What the pure parser needs from this profile."""
        extra = {"min_body_chars": self.min_body_chars} if self.min_body_chars is not None else {}
        return ParseOptions(site=self.name, timezone=self.timezone, language=self.language,
                            selectors=dict(self.selectors), title_prefixes=self.title_prefixes,
                            boilerplate=self.boilerplate, article_selector=self.article_selector, **extra)

    @property
    def hosts(self) -> list[str]:
        """The site's hosts: its start points' and its allowed domains (the crawl follows
        links there, the downloader gives each its politeness slot)."""
        urls = [*self.start_urls, *self.sitemaps, *self.feeds]
        hosts = {urlsplit(u).hostname or "" for u in urls} | set(self.allowed_domains)
        return sorted(h for h in hosts if h)

    def is_article_url(self, url: str) -> bool | None:
        """True/False when the profile has article rules, None when it has none."""
        if not self.article_patterns:
            return None
        return any(re.search(p, url) for p in self.article_patterns)

    def with_base_url(self, base_url: str) -> SiteProfile:
        """A copy whose start points live under ``base_url`` instead (same paths): the demo
        site on whatever port its server got, or a staging copy of a site."""
        from dataclasses import replace

        base = urlsplit(base_url)

        def move(urls: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(urlsplit(u)._replace(scheme=base.scheme, netloc=base.netloc).geturl() for u in urls)

        return replace(self, start_urls=move(self.start_urls), sitemaps=move(self.sitemaps), feeds=move(self.feeds),
                       allowed_domains=(base.hostname or "",))


_SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    # key: (accepted type(s), dataclass field)
    "name": (str, "name"),
    "allowed_domains": (list, "allowed_domains"),
    "start_urls": (list, "start_urls"),
    "sitemaps": (list, "sitemaps"),
    "feeds": (list, "feeds"),
    "timezone": (str, "timezone"),
    "language": (str, "language"),
    "script": (str, "script"),
    "render": (str, "render"),
    "refresh_hours": ((int, float), "refresh_hours"),
    "allow_private": (bool, "allow_private"),
    "rules.article": (list, "article_patterns"),
    "rules.listing": (list, "listing_patterns"),
    "rules.deny": (list, "deny_patterns"),
    "rules.article_selector": (str, "article_selector"),
    "rules.min_body_chars": (int, "min_body_chars"),
    "rules.max_depth": (int, "max_depth"),
    "rules.max_listing_pages": (int, "max_listing_pages"),
    "politeness.delay": ((int, float), "delay"),
    "politeness.concurrency": (int, "concurrency"),
    "selectors": (dict, "selectors"),
    "title.prefixes": (list, "title_prefixes"),
    "boilerplate.patterns": (list, "boilerplate"),
    "fetch": (dict, "fetch"),
}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and full not in ("selectors", "fetch"):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = value
    return out


def load_profile_file(path: Path | str) -> SiteProfile:
    """Read and validate one profile file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(path, None, f"cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, None, f"not valid TOML: {exc}") from exc
    values: dict[str, Any] = {"path": str(path)}
    for key, value in _flatten(data).items():
        if key not in _SCHEMA:
            raise ProfileError(path, key, f"unknown key (known: {', '.join(sorted(_SCHEMA))})")
        kind, attr = _SCHEMA[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ProfileError(path, key, f"expected {_type_name(kind)}, got {type(value).__name__}")
        if key == "fetch":
            try:
                value = parse_fetch(value)
            except ValueError as exc:
                where, _, reason = str(exc).partition(": ")
                raise ProfileError(path, where, reason) from None
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ProfileError(path, key, "expected a list of strings")
            value = tuple(value)
        values[attr] = value
    if not values.get("name"):
        raise ProfileError(path, "name", "missing")
    if not re.fullmatch(r"[\w.-]+", values["name"]):
        raise ProfileError(path, "name", "use letters, digits, '.', '_' or '-'")
    _check(path, values)
    return SiteProfile(**values)


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {"str": "a string", "list": "a list", "dict": "a table", "int": "an integer", "float": "a number",
             "bool": "true or false"}
    return " or ".join(names.get(k.__name__, k.__name__) for k in kinds)


def _check(path: Path, values: dict[str, Any]) -> None:
    for key in ("start_urls", "sitemaps", "feeds"):
        for url in values.get(key, ()):
            if urlsplit(url).scheme not in ("http", "https"):
                raise ProfileError(path, key, f"{url!r} is not an http(s) URL")
    for key, attr in (("rules.article", "article_patterns"), ("rules.listing", "listing_patterns"),
                      ("rules.deny", "deny_patterns"), ("boilerplate.patterns", "boilerplate")):
        for pattern in values.get(attr, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ProfileError(path, key, f"bad regular expression {pattern!r}: {exc}") from exc
    if values.get("script", "keep") not in SCRIPTS:
        raise ProfileError(path, "script", f"must be one of {', '.join(SCRIPTS)}")
    if values.get("render", "html") not in RENDER_MODES:
        raise ProfileError(path, "render", f"must be one of {', '.join(RENDER_MODES)}")
    for name, expression in values.get("selectors", {}).items():
        if name not in SELECTOR_FIELDS:
            known = ", ".join(SELECTOR_FIELDS)
            raise ProfileError(path, f"selectors.{name}", f"unknown field (known: {known})")
        _check_selector(path, f"selectors.{name}", expression)
    if values.get("article_selector") is not None:
        _check_selector(path, "rules.article_selector", values["article_selector"])
    if values.get("timezone"):
        from crawler.parsing.dates import zone_for

        tz = values["timezone"]
        if not re.match(r"^(Z|UTC|GMT|[+-]\d)", tz):
            try:
                from zoneinfo import ZoneInfo

                ZoneInfo(tz)
            except (KeyError, ValueError) as exc:
                raise ProfileError(path, "timezone", f"unknown time zone {tz!r}") from exc
        zone_for(tz, None)
    for key, attr in (("rules.max_depth", "max_depth"), ("rules.max_listing_pages", "max_listing_pages"),
                      ("rules.min_body_chars", "min_body_chars"), ("politeness.concurrency", "concurrency")):
        if attr in values and values[attr] < 0:
            raise ProfileError(path, key, "must not be negative")


def _check_selector(path: Path, key: str, expression: object) -> None:
    """A selector is compiled when its profile loads: a typo fails here, not as a silent miss
    on every page of the crawl."""
    if not isinstance(expression, str):
        raise ProfileError(path, key, f"expected a string (CSS, or XPath as 'xpath: ...'), got "
                                      f"{type(expression).__name__}")
    try:
        compile_selector(expression)
    except SelectorError as exc:
        raise ProfileError(path, key, f"bad selector {expression!r}: {exc}") from exc


def profile_dirs() -> list[Path]:
    """Where profiles are looked up by name: $NEWSCRAWL_PROFILES, then the bundled ones."""
    dirs = [Path(p) for p in os.environ.get("NEWSCRAWL_PROFILES", "").split(os.pathsep) if p]
    return [*dirs, PACKAGE_DIR]


def find_profile(name_or_path: str) -> SiteProfile:
    """A profile by file path or by name."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ProfileError(candidate, None, "no such profile file")
        return load_profile_file(candidate)
    for folder in profile_dirs():
        path = folder / f"{name_or_path}.toml"
        if path.is_file():
            return load_profile_file(path)
    known = ", ".join(p.name for p in all_profiles()) or "none"
    raise ProfileError(name_or_path, None, f"no profile with that name (known: {known})")


def all_profiles() -> list[SiteProfile]:
    """Every loadable profile in the lookup directories (invalid ones are skipped here;
    ``newscrawl profiles check`` reports them)."""
    seen: dict[str, SiteProfile] = {}
    for folder in profile_dirs():
        for path in sorted(folder.glob("*.toml")):
            try:
                profile = load_profile_file(path)
            except ProfileError:
                continue
            seen.setdefault(profile.name, profile)
    return list(seen.values())
