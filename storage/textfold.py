"""The folded form of a text that deduplication compares, and its hash.

``fold_for_hash`` is only for comparing texts: NFKC, lower case, no spaces or punctuation,
and traditional or machine-converted Chinese characters folded to simplified ones, so the
same article gives the same ``content_hash`` (and the same near-duplicate shingles,
``storage.neardup``) whatever its markup or script. The store computes both when a record
comes without them; the parser signs its records with the same functions.

``to_simplified`` (OpenCC t2s plus a table of the variants machine converters emit, which
OpenCC does not map back) lives here because folding needs it; the cleaning stage's script
conversion (``crawler.parsing.clean``) builds on it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())  # what _NOT_WORD removes from ASCII
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")  # what fold_for_hash takes as a sign of Chinese

# Characters machine converters emit that OpenCC's tables do not map back (FACTS.md):
# the seed's 紥尅伯格 (扎克伯格) and 蓡與 (参与); 曏 is handled by OpenCC but kept here too.
# Each entry was seen in machine-converted text; none is the usual form of another word.
VARIANTS = str.maketrans({"曏": "向", "紥": "扎", "尅": "克", "蓡": "参", "麪": "面", "縂": "总", "竝": "并",
                          "儅": "当", "衹": "只", "廻": "回", "琯": "管", "郃": "合", "躰": "体", "眡": "视",
                          "襍": "杂", "傚": "效", "搆": "构", "骹": "跤", "爲": "为", "裡": "里", "実": "实",
                          "騐": "验", "曡": "叠", "椝": "规", "毉": "医", "処": "处"})


@lru_cache(maxsize=2)
def _opencc(config: str):  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC(config)


# Any character VARIANTS maps: a C-level search spares str.translate, whose dict lookups
# cost some 0.5 µs a character of Chinese text, on the texts (nearly all) that have none.
_VARIANT_CHAR = re.compile("[" + re.escape("".join(map(chr, VARIANTS))) + "]")


def _fold_variants(text: str) -> str:
    return text.translate(VARIANTS) if _VARIANT_CHAR.search(text) else text


def to_simplified(text: str) -> str:
    """Simplified Chinese via OpenCC t2s plus the variant table for machine-converted text."""
    if not text:
        return text
    return _fold_variants(_opencc("t2s").convert(_fold_variants(text)))


@lru_cache(maxsize=8)
def fold_for_hash(text: str) -> str:
    """The comparison form of a text: script variants folded, no case, spaces or punctuation.

    Cached for the last few texts: a page's body is folded for its ``content_hash`` and
    again for its near-duplicate signature, and the OpenCC conversion is the costly part."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if text.isascii():
        # [\W_] on ASCII is every byte but a letter or digit: bytes.translate deletes them in
        # C, some 50 times faster than the regex, which pays for each gap between words.
        return text.encode("ascii").translate(None, _ASCII_NOT_ALNUM).decode("ascii")
    if _IDEOGRAPH.search(text, 0, 2000):  # a CJK ideograph among the first 2000 characters
        text = to_simplified(text)
    return _NOT_WORD.sub("", _without_ascii_non_word(text))


def _fold_for_hash_plain(text: str) -> str:
    """The readable form; fold_for_hash must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    text = unicodedata.normalize("NFKC", re.sub("[\ud800-\udfff]", "", text or "")).lower()
    if _IDEOGRAPH.search(text, 0, 2000):
        text = to_simplified(text)
    return re.sub(r"[\W_]+", "", text)



def _without_ascii_non_word(text: str) -> str:
    """``text`` without the ASCII characters ``_NOT_WORD`` removes (spaces, punctuation, _),
    deleted from its UTF-8 bytes in C: every byte of a non-ASCII character is 0x80 or more,
    so only ASCII ones go. The regex, which pays per match, is then left a few gaps (’, “,
    ，) instead of one between every two words: 2-3 times faster on English text."""
    raw = text.encode("utf-8", "surrogatepass")  # lone surrogates are word-less but kept for the regex
    return raw.translate(None, _ASCII_NOT_ALNUM).decode("utf-8", "surrogatepass")


def content_hash(body_text: str) -> str | None:
    """sha256 of the folded body: the same article text gives the same hash."""
    folded = fold_for_hash(body_text)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest() if folded else None
