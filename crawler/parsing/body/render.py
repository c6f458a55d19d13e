"""The kept blocks and pictures as simple HTML (``body_html``)."""

from __future__ import annotations

from html import escape
from typing import Any

from crawler.parsing.body.blocks import Block, Pic


def to_html(blocks: list[Block], pics: list[Pic]) -> str:
    out: list[str] = []
    by_pos: dict[int, list[Pic]] = {}
    for pic in pics:
        by_pos.setdefault(pic.after, []).append(pic)
    open_group: Any = None
    open_tag = ""

    def close() -> None:
        nonlocal open_group, open_tag
        if open_group is not None:
            out.append(f"</{open_tag}>")
        open_group, open_tag = None, ""

    def figures(pos: int) -> None:
        for pic in by_pos.get(pos, ()):
            close()
            alt = f' alt="{escape(pic.alt)}"' if pic.alt else ' alt=""'
            cap = f"<figcaption>{escape(pic.caption)}</figcaption>" if pic.caption else ""
            out.append(f'<figure><img src="{escape(pic.src)}"{alt}>{cap}</figure>')

    for i, block in enumerate(blocks):
        figures(i)
        # The caption is in the <figcaption> just written: not again as a paragraph.
        if block.kind in ("p", "figcaption") and any(pic.caption == block.text for pic in by_pos.get(i, ())):
            continue
        text = block.html or escape(block.text, quote=False)
        if block.kind == "li":
            if open_group is not block.group or open_tag != block.list_tag:
                close()
                out.append(f"<{block.list_tag}>")
                open_group, open_tag = block.group, block.list_tag
            out.append(f"<li>{text}</li>")
            continue
        if block.kind == "blockquote":
            if open_group is not block.group or open_tag != "blockquote":
                close()
                out.append("<blockquote>")
                open_group, open_tag = block.group, "blockquote"
            out.append(f"<p>{text}</p>")
            continue
        close()
        if block.kind == "figcaption" or block.kind == "p":
            out.append(f"<p>{text}</p>")
        elif block.kind == "h1":
            out.append(f"<h2>{text}</h2>")
        elif block.kind == "pre":
            out.append(f"<pre>{text}</pre>")
        else:
            out.append(f"<{block.kind}>{text}</{block.kind}>")
    figures(len(blocks))
    close()
    return "\n".join(out)
