"""A local news site whose pages the generic parsers read one way and a profile another:
every field has a generic source (meta tags, the <article> box, its byline) and a different
value in a box only a profile selector names. Shared by the parse, crawl and CLI tests of
site profiles."""

from __future__ import annotations

from tests.helpers.pages import PARAGRAPHS

PINNED_TEXT = [
    "Pinned body paragraph one tells the story the site really published, with the facts in order.",
    "Pinned body paragraph two adds the quotes from the people who were there on the evening itself.",
    "Pinned body paragraph three ends the report with what happens next week at the second hearing.",
]
SHARE_LINE = "This report was first published in the weekly print edition of the Test Times on Sunday."


def profile_article(n: int, *, byline: bool = True, marker: bool = True) -> str:
    """Article ``n``: generic values in meta tags and <article>, pinned ones in ``x-`` boxes.
    ``byline=False`` leaves out the box the authors selector names (it matches nothing)."""
    paras = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    pinned = "".join(f"<p>{p} (Story {n}.)</p>" for p in PINNED_TEXT)
    by = '<div class="x-by">Written by Carla Pinned and Dan Pinned</div>' if byline else ""
    mark = '<span class="x-story"></span>' if marker else ""
    return f"""<html lang="en"><head><title>Generic title {n} | Test Times</title>
<meta property="og:title" content="Generic title {n}">
<meta property="og:type" content="article">
<meta name="author" content="Meta Person">
<meta property="article:published_time" content="2024-05-01T09:00:00+00:00">
<meta property="article:modified_time" content="2024-05-02T09:00:00+00:00">
<meta name="description" content="Generic summary from the meta description of story {n}.">
<meta property="article:tag" content="generic-tag">
<meta property="article:section" content="GenericSection">
</head><body><header><a href="/">Home</a></header>
<div class="x-head">SPAM: Pinned headline number {n}</div>{by}{mark}
<span class="x-when">2023-11-20 08:15</span>
<span class="x-upd" data-ts="2023-11-21T10:00:00">updated</span>
<div class="x-dek"><p>The pinned summary the site writes for story {n}.</p><p>Advertisement: subscribe today</p></div>
<nav class="breadcrumb"><a href="/">Home</a> &gt; <a href="/generic/">Generic</a></nav>
<div class="x-way"><a href="/world/">World</a> &gt; <a href="/world/europe/">Europe</a></div>
<span class="x-cat">Pinned Category</span>
<ul class="x-kw"><li>alpha</li><li>beta</li></ul>
<span class="x-src">Pinned Wire</span>
<article><h1>Generic title {n}</h1><p class="byline">By Ann Writer</p>{paras}
<figure><img src="/img/generic-{n}.jpg" alt="Generic picture"></figure></article>
<div class="x-text">{pinned}<p>{SHARE_LINE}</p></div>
<div class="x-gallery"><img src="/img/pinned-{n}.jpg" alt="Pinned picture"></div>
</body></html>"""


def short_article() -> str:
    """A real article whose body is shorter than the parser's default minimum."""
    return """<html lang="en"><head><title>Short notice | Test Times</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-05-03T09:00:00+00:00"></head><body>
<header><a href="/">Home</a></header><span class="x-story"></span>
<article><h1>Short notice about the library</h1>
<p>The library opens late on Monday because of a staff meeting.</p></article></body></html>"""


PROFILE_TOML = """name = "pinned"
allowed_domains = ["127.0.0.1"]
start_urls = ["{base}/"]
timezone = "Asia/Tokyo"
language = "de"

[rules]
article = ['/news/\\d+\\.html$', '/short\\.html$']
article_selector = "span.x-story"
min_body_chars = 40

[selectors]
title = "div.x-head"
body = "div.x-text"
summary = "div.x-dek p"
authors = "div.x-by"
published_at = "span.x-when"
modified_at = "xpath: //span[@class='x-upd']/@data-ts"
breadcrumb = "div.x-way"
category = "span.x-cat"
tags = "ul.x-kw li"
source = "span.x-src"
images = "div.x-gallery img"

[title]
prefixes = ["SPAM"]

[boilerplate]
patterns = ['^This report was first published', '^Advertisement:']
"""

# What the profile makes of article n (generic values differ: see the tests).
EXPECTED = {
    "title": "Pinned headline number {n}",
    "title_spam_prefix": "SPAM",
    "summary": "The pinned summary the site writes for story {n}.",
    "authors": ["Carla Pinned", "Dan Pinned"],
    "published_at": "2023-11-20T08:15:00+09:00",
    "modified_at": "2023-11-21T10:00:00+09:00",
    "breadcrumb": [{"name": "World", "url": "{base}/world/"}, {"name": "Europe", "url": "{base}/world/europe/"}],
    "category": "Pinned Category",
    "tags": ["alpha", "beta"],
    "source": "Pinned Wire",
    "images": ["{base}/img/pinned-{n}.jpg"],
    "language": "de",
}


def expected(n: int, base: str) -> dict[str, object]:
    """``EXPECTED`` for article ``n`` on a site at ``base``."""
    def fill(value: object) -> object:
        if isinstance(value, str):
            return value.replace("{n}", str(n)).replace("{base}", base)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value
    return {k: fill(v) for k, v in EXPECTED.items()}


def shown(record: dict[str, object], name: str) -> object:
    """A record field as ``EXPECTED`` writes it (sources by name, images by src)."""
    value = record.get(name)
    if name == "source":
        return value.get("name") if isinstance(value, dict) else value
    if name == "images":
        return [i["src"] for i in value] if isinstance(value, list) else value
    return value
