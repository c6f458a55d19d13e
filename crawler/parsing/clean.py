"""Text normalisation and the folded form used for content hashes.

``normalize_text`` is what every stored string goes through: NFC (NFKC would turn the
full-width Chinese punctuation ：，（） into ASCII), zero-width and control characters
(NUL included) removed, white space collapsed. ``fold_for_hash`` is stronger and only
for comparing texts: NFKC, lower case, no spaces or punctuation, and traditional or
machine-converted characters folded to simplified ones, so the same article gives the
same hash whatever its markup or script.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\ufffe]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SURROGATES = re.compile(r"[\ud800-\udfff]")

# Characters machine converters emit that OpenCC's tables do not map back (FACTS.md):
# the seed's 紥尅伯格 (扎克伯格) and 蓡與 (参与); 曏 is handled by OpenCC but kept here too.
VARIANTS = str.maketrans({"曏": "向", "紥": "扎", "尅": "克", "蓡": "参", "麪": "面", "縂": "总", "竝": "并",
                          "儅": "当", "衹": "只", "廻": "回", "琯": "管", "郃": "合", "躰": "体", "眡": "视",
                          "襍": "杂", "傚": "效", "搆": "构", "骹": "跤", "爲": "为", "裡": "里", "実": "实"})


def normalize_text(text: str | None) -> str:
    """Clean one block of text for storage (keeps Chinese punctuation)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("", text))
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize_blocks(text: str) -> str:
    """Normalise each line of a multi-line body and drop empty lines."""
    lines = (normalize_text(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified Chinese via OpenCC t2s plus the variant table for machine-converted text."""
    if not text:
        return text
    return _t2s().convert(text.translate(VARIANTS)).translate(VARIANTS)


def fold_for_hash(text: str) -> str:
    """The comparison form of a text: script variants folded, no case, spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if any("\u4e00" <= ch <= "\u9fff" for ch in text[:2000]):
        text = to_simplified(text)
    return _NOT_WORD.sub("", text)


def content_hash(body_text: str) -> str | None:
    """sha256 of the folded body: the same article text gives the same hash."""
    folded = fold_for_hash(body_text)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest() if folded else None


def text_weight(text: str) -> int:
    """Length with CJK characters counted twice: 120 Chinese characters say about as much as
    240 Latin ones, so one minimum body length serves both scripts."""
    return len(text) + sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
