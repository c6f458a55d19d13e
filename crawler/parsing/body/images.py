"""The pictures of the kept text and their captions."""

from __future__ import annotations

import re

from crawler.parsing.body.blocks import Block, Pic
from crawler.parsing.body.markup import attributes, class_and_id, wlen
from crawler.parsing.record import Image

_CAPTION_ATTR = re.compile(r"caption|desc|note|credit|pic-?text|img-?text|imgtxt|pictext|tuzhu|"
                           r"legend|photo-?text", re.I)
_CAPTION_STYLE = re.compile(r"text-align\s*:\s*center|(?<![-\w])color\s*:|font-size\s*:|italic", re.I)
_CENTER_ATTR = re.compile(r"center", re.I)


def caption_like(block: Block) -> bool:
    if block.kind not in ("p", "figcaption") or len(block.text) > 160 or wlen(block.text) > 160:
        return False
    el = block.source
    if el is None:
        return False
    if block.kind == "figcaption":
        return True
    for node in (el, *el[:1]):
        if not isinstance(node.tag, str):
            continue
        # all attributes in one call, not five el.get; none of the patterns matches an empty value
        get = attributes(node)
        style, align = get("style"), get("align")
        if (style and _CAPTION_STYLE.search(style)) or (align and _CENTER_ATTR.search(align)):
            return True
        attrs = class_and_id(get)
        if attrs and _CAPTION_ATTR.search(attrs):
            return True
    return False


def images_of(pics: list[Pic], raw: list[Block], kept: list[Block]) -> list[Image]:
    kept_ids = {id(b) for b in kept}
    out: list[Image] = []
    for pic in pics:
        caption = pic.caption
        if caption is None and pic.after < len(raw):
            # the image stood alone in its paragraph and the next one reads like a caption
            nxt = raw[pic.after]
            prev_same = pic.after > 0 and raw[pic.after - 1].source is pic.block_el
            if not prev_same and nxt.source is not pic.block_el and caption_like(nxt):
                caption = nxt.text
            elif nxt.source is pic.block_el and caption_like(nxt):
                caption = nxt.text
        if pic.after > len(raw) or (pic.after < len(raw) and id(raw[pic.after]) not in kept_ids
                                    and not raw[pic.after].lead_caption
                                    and pic.after > 0 and id(raw[pic.after - 1]) not in kept_ids):
            continue  # the image sat in a trimmed edge
        out.append(Image(src=pic.src, alt=pic.alt, caption=caption))
    return out


def reindex(pics: list[Pic], raw: list[Block], kept: list[Block], images: list[Image]) -> list[Pic]:
    """Positions of the kept images among the kept blocks (for the HTML)."""
    position = {id(b): i for i, b in enumerate(kept)}
    wanted = {img.src: img for img in images}
    out = []
    for pic in pics:
        img = wanted.get(pic.src)
        if img is None:
            continue
        pos = len(kept)
        for j in range(pic.after, len(raw)):
            if id(raw[j]) in position:
                pos = position[id(raw[j])]
                break
        out.append(Pic(pic.src, pic.alt, img.caption, pos, pic.block_el))
    return out
