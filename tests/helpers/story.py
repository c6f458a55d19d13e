"""One small article to test body rules on: the river-path story, in any markup.

``story_page(body)`` puts ``body`` under a page headed "River path to grow";
``story_text(body)`` is what the body extractor (with its second opinion) keeps of it; and
``story_article(extra, after)`` is an ``<article>`` of five paragraphs with ``extra`` before
the last one and ``after`` behind it, so a rule can be shown dropping (or keeping) one line
in the middle or at the end of a real article.
"""

from __future__ import annotations

from crawler.parsing import second_opinion as so
from crawler.parsing.page import Page

URL = "https://news.example.org/2024/05/story"
TITLE = "River path to grow"
PARA = ("The council voted on Tuesday to expand the river path, a project that residents had requested for "
        "years, and the work is expected to begin in the autumn after the final permits arrive. ")


def story_page(body: str, head: str = "") -> Page:
    html = f"<html><head><title>{TITLE}</title>{head}</head><body><h1>{TITLE}</h1>{body}</body></html>"
    return Page.from_bytes(html.encode(), URL)


def story_text(body: str, head: str = "") -> str:
    return "\n".join(so.extract_body_checked(story_page(body, head), title=TITLE).blocks)


def story_article(extra: str, after: str = "") -> str:
    paras = "".join(f"<p>{PARA}{i}</p>" for i in range(4))
    return f"<article class='story-body'>{paras}{extra}<p>{PARA}last</p>{after}</article>"
