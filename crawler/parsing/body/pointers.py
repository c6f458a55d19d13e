"""Lines that only point elsewhere: a short paragraph that is one worded link ("Hier das
Tableau in Pune", ">> Wegen Corona: ... <<"), or that ends in a linked "here" ("Alles über
Wanderschuhe findest Du hier."). They send the reader to another page and say nothing here;
the trim stage drops them wherever they stand."""

from __future__ import annotations

import re

from crawler.parsing.body.blocks import Block

#: a paragraph that is all link text and shorter than LINK_LINE_MAX points elsewhere
LINK_LINE_SHARE = 0.9
LINK_LINE_MAX = 150
LINK_LINE_MIN_WORDS = 3
#: ... unless such lines are at least 1/LINK_LINES_SHARE_MAX of the blocks: then the body is a list
LINK_LINES_SHARE_MAX = 3
#: a line pointing elsewhere through a linked "here" at its end is shorter than this
HERE_LINE_MAX = 120


_URLISH = re.compile(r"https?://|www\.|\w\.(?:com|org|net|de|html?)\b", re.I)


def is_link_line(block: Block) -> bool:
    """A short paragraph that is one link worded as a pointer ("Hier das Tableau in Pune",
    ">> Wegen Corona: ... <<", "Weitere Informationen gibt es auf der Website des DTB"): it
    sends the reader to another page and says nothing here. A bare address or a number
    (a source list, page numbers) is a reference the article shows and stays."""
    text = block.text
    if block.kind != "p" or block.link_share < LINK_LINE_SHARE or len(text) >= LINK_LINE_MAX:
        return False
    return len(text.split()) >= LINK_LINE_MIN_WORDS and _URLISH.search(text) is None


#: the link that ends a pointer line: the word "here" alone as a link, in several languages
_HERE_LINK = re.compile(r'>\s*(?:hier|here|aquí|aqui|ici|qui|tutaj|här|her|hierzo)\s*</a>\s*[.!]?\s*$', re.I)


def is_here_pointer(block: Block) -> bool:
    """A short line that only points elsewhere through a linked "here" at its end ("Alles über
    nachhaltige Wanderschuhe findest Du hier.", "Find our full guide here."): its text is
    about another page."""
    return (len(block.text) < HERE_LINE_MAX and block.html is not None and block.kind == "p"
            and _HERE_LINK.search(block.html) is not None)
