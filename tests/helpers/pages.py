"""Small pages for the local test server: a complete English news article and a listing page
linking to articles (``__BASE__`` in a route's body becomes the server's base URL)."""

from __future__ import annotations

PARAGRAPHS = [
    "The city council met on Tuesday evening to discuss the budget for the coming year, including money for parks.",
    "Members of the public spoke for more than an hour about bus routes, library hours and the repair of old bridges.",
    "The mayor said the final vote would take place next month after a second public hearing in the town hall.",
    "Local businesses asked for faster permits, while residents asked for more street lights near the river path.",
]


def article(n: int, title: str | None = None, date: str = "2024-05-01T09:00:00+00:00", extra: str = "") -> str:
    """A small but complete English news article page."""
    title = title or f"Council story number {n} about the city budget"
    paras = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    return (f'<html lang="en"><head><title>{title} | Test Times</title><meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{date}"></head><body><header><a href="/">Home</a>'
            f'</header><article><h1>{title}</h1><p class="byline">By Ann Writer</p>{paras}{extra}</article>'
            f"</body></html>")


def listing(links: list[str], next_page: str | None = None) -> str:
    items = "".join(f'<li><a href="{href}">Read story at {href}</a></li>' for href in links)
    nxt = f'<a class="next" href="{next_page}">Next page</a>' if next_page else ""
    return f"<html><head><title>Latest news</title></head><body><ul>{items}</ul>{nxt}</body></html>"
