"""Decode page bytes to text without producing mojibake.

Order of trust (FACTS.md: a declared charset is often wrong on Chinese sites):
a BOM, then strict UTF-8 (a valid multi-byte UTF-8 page is almost never in another
encoding), then the HTTP header's charset, then ``<meta charset>``, then GB18030 and
Big5. GB2312 and GBK are read as their superset GB18030 (镕, 喆, 堃 are not in GB2312).

About one page in twenty on the open web is UTF-8 with a handful of stray bytes (a Latin-1
byte pasted into a template; FACTS.md: one bad byte in 110 kB). Such a page is read as
UTF-8 with replacement characters when it declares UTF-8 or nothing and the bad bytes are
few next to its valid multi-byte characters: the reader loses one character, not the page.
A page that no candidate decodes cleanly is decoded with replacement characters too. Either
way ``Decoded.clean`` is False and ``replaced`` counts the characters lost, so the caller
can flag the record.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text of a page, the codec that produced it, and whether bytes were lost."""

    text: str
    encoding: str
    clean: bool
    replaced: int = 0


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, _SUPERSETS.get(canonical, canonical))


def declared_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (meta charset or http-equiv)."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def decode_html(body: bytes, header_encoding: str | None = None) -> Decoded:
    """Decode ``body``; ``header_encoding`` is the charset from the Content-Type header."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom):].decode(codec, "replace"), codec, True)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", True)
    except UnicodeDecodeError:
        pass
    declared = _normalise(header_encoding) or _normalise(declared_charset(body))
    if declared in (None, "utf-8"):
        lossy = _mostly_utf8(body)
        if lossy is not None:
            return lossy
    candidates = [_normalise(header_encoding), _normalise(declared_charset(body)), "gb18030", "big5hkscs"]
    seen: set[str] = set()
    for name in candidates:
        if not name or name in seen or name == "utf-8":
            continue
        seen.add(name)
        try:
            return Decoded(body.decode(name), name, True)
        except (UnicodeDecodeError, LookupError):
            continue
    fallback = declared or "utf-8"
    text = body.decode(fallback, "replace")
    return Decoded(text, fallback, False, text.count("\ufffd"))


def _mostly_utf8(body: bytes) -> Decoded | None:
    """``body`` as UTF-8 with replacement characters when the invalid bytes are few: at most
    one replaced character per 20 valid non-ASCII characters (a page in another encoding has
    almost no valid UTF-8 sequences), and no more than 50 in all."""
    text = body.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - replaced
    if replaced <= 50 and replaced * 20 <= max(valid, 20):
        return Decoded(text, "utf-8", False, replaced)
    return None
