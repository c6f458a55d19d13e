"""Draft a site profile from one article page: ``newscrawl profiles new URL``.

The page is fetched once and parsed with the generic parsers; the profile then names what
they found (headline and body containers as CSS selectors, an article URL pattern from the
URL's shape, the language and time zone) so a person only has to review it.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from crawler.parsing import NotAnArticle, parse_article
from crawler.parsing.page import Page, element_text
from crawler.parsing.urls import registered_domain

USER_AGENT = "newscrawl/0.1 (profile starter)"


class StarterError(Exception):
    """The page could not be fetched or is not an article."""


def fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    if urlsplit(url).scheme not in ("http", "https"):
        raise StarterError(f"{url!r} is not an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            body = response.read(16 * 1024 * 1024)
            return body, response.headers.get_content_charset()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StarterError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from exc


def css_path(el: object) -> str:
    """A short CSS selector for ``el``: its id, else tag plus its most specific classes."""
    tag = el.tag  # type: ignore[attr-defined]
    if el.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", el.get("id")):  # type: ignore[attr-defined]
        return f"{tag}#{el.get('id')}"  # type: ignore[attr-defined]
    classes = [c for c in (el.get("class") or "").split() if re.fullmatch(r"[A-Za-z][\w-]*", c)]  # type: ignore[attr-defined]
    return tag + "".join(f".{c}" for c in classes[:2])


def article_pattern(path: str) -> str:
    """A URL rule from one article path: numbers become ``\\d+`` and slugs ``[\\w-]+``,
    the fixed parts (sections, extension) stay."""
    out = []
    for segment in path.split("/"):
        stem, dot, ext = segment.rpartition(".") if "." in segment else (segment, "", "")
        if re.fullmatch(r"\d+", stem):
            stem_rx = r"\d+"
        elif re.search(r"[-_]", stem) and re.search(r"[A-Za-z]", stem):
            stem_rx = r"[\w-]+"
        else:
            stem_rx = re.sub(r"\d+", r"\\d+", re.escape(stem))
        out.append(stem_rx + (re.escape(dot + ext) if dot else ""))
    return "/".join(out)


def _container_of(page: Page, first: str, last: str) -> object | None:
    """The deepest element whose text holds both the first and the last body block."""
    best = None
    for el in page.tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "head", "script", "style"):
            continue
        text = element_text(el)
        if first[:40] in text and last[:40] in text:
            best = el
    return best


def starter_profile(url: str, name: str | None = None, timeout: float = 20.0) -> str:
    """The TOML text of a starter profile for ``url``'s site."""
    body, charset = fetch(url, timeout)
    try:
        record = parse_article(body, url, encoding=charset)
    except NotAnArticle as exc:
        raise StarterError(f"{url} does not look like an article ({exc.reason}); give an article page") from exc
    page = Page.from_bytes(body, url, charset)
    parts = urlsplit(url)
    name = name or re.sub(r"[^\w.-]", "-", registered_domain(url))
    blocks = record.body_blocks
    body_el = _container_of(page, blocks[0], blocks[-1]) if blocks else None
    h1 = page.tree.xpath("//h1")
    pattern = article_pattern(parts.path)
    lines = [
        f"# Starter profile drafted from {url}",
        "# Review every line: the selectors are what the generic parsers found on this one page.",
        f'name = "{name}"',
        f'allowed_domains = ["{parts.hostname}"]',
        f'start_urls = ["{parts.scheme}://{parts.netloc}/"]',
        f'sitemaps = ["{parts.scheme}://{parts.netloc}/sitemap.xml"]',
    ]
    if record.language:
        lines.append(f'language = "{record.language}"')
    # only a time carries an offset: a date-only published_at ("2019-09-25") says nothing of the zone
    offset = record.published_at[-6:] if record.published_at and len(record.published_at) > 10 else None
    if offset and re.fullmatch(r"[+-]\d\d:\d\d", offset) and offset != "+00:00":
        lines.append(f'timezone = "{offset}"')
    lines += ["", "[rules]", f"article = ['{pattern}$']", "max_depth = 5", "", "[politeness]", "delay = 1.0",
              "concurrency = 2", "", "[selectors]"]
    if body_el is not None:
        lines.append(f'body = "{css_path(body_el)}"')
    if h1:
        lines.append(f'title = "{css_path(h1[0])}"')
    if record.title_spam_prefix:
        lines += ["", "[title]", f'prefixes = ["{record.title_spam_prefix}"]']
    lines.append("")
    return "\n".join(lines)
