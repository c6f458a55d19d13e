"""Text normalisation, script conversion, record cleaning and the folded form used for hashes.

``normalize_text`` is what every stored string goes through: NFC (NFKC would turn the
full-width Chinese punctuation ：，（） into ASCII), full-width letters and digits made
ASCII (ＡＩ and AI are the same word; the punctuation stays full-width), zero-width and
control characters (NUL included, so SQLite and PostgreSQL store the same text) and lone
surrogates removed, white space collapsed.

``convert_script`` applies a site profile's ``script`` setting. OpenCC alone misses the
odd variants machine converters emit (紥尅伯格, 蓡與: FACTS.md), so a small variant table of
our own is applied around it. ``clean_record`` runs the whole cleaning stage on a Record
and returns a ``CleanedRecord`` that still carries the text it had before conversion, so
the store can keep the page's own wording beside the converted one.

``fold_for_hash`` and ``content_hash`` (the form deduplication compares) and
``to_simplified`` live in ``storage.textfold``, because the store computes them too; they
are used from there (``content_hash`` and ``to_simplified`` are also importable from here).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from crawler.parsing.record import FIELD_NAMES, Crumb, Image, Record, Source
from storage.sanitize import MEDIA_SCHEMES, absolute_url, sanitize_html
from storage.textfold import _opencc, content_hash, to_simplified

_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e"
                        r"\u2060-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_HTML_TEXT = re.compile(r"(<[^>]*>)")
_FULLWIDTH_ALNUM_CHAR = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_CJK_WEIGHTED = re.compile(r"[\u3400-\u9fff]+")  # what text_weight counts twice
# Full-width digits and Latin letters -> ASCII; full-width punctuation is left alone.
_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for rng in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for cp in range(rng[0], rng[1] + 1)}

SCRIPTS = ("keep", "simplified", "traditional")



def normalize_text(text: str | None) -> str:
    """Clean one block of text for storage (keeps Chinese punctuation)."""
    if not text:
        return ""
    if text.isprintable():
        # The usual case, tested in C: a printable text holds no surrogate, control, format
        # or unassigned character and no white space but " " (so nothing for _SURROGATES,
        # _INVISIBLE or strip() beyond spaces), and NFC keeps it printable. Only NFC, the
        # full-width letters and runs of " " are left to do; the slow path gives the same.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
            if _FULLWIDTH_ALNUM_CHAR.search(text):
                text = text.translate(_FULLWIDTH_ALNUM)
        if "  " in text or text[0] == " " or text[-1] == " ":
            return " ".join(text.split())
        return text
    text = unicodedata.normalize("NFC", _SURROGATES.sub("", text))
    text = _INVISIBLE.sub("", text)
    if _FULLWIDTH_ALNUM_CHAR.search(text):  # a dict translate costs ~20 ns a character; most texts have none
        text = text.translate(_FULLWIDTH_ALNUM)
    return _SPACES.sub(" ", text).strip()


def _normalize_text_plain(text: str | None) -> str:
    """The readable form; normalize_text must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("", text))
    text = _INVISIBLE.sub("", text).translate(_FULLWIDTH_ALNUM)
    return _SPACES.sub(" ", text).strip()



def normalize_blocks(text: str) -> str:
    """Normalise each line of a multi-line body and drop empty lines."""
    lines = (normalize_text(line) for line in (text or "").split("\n"))
    return "\n".join(line for line in lines if line)




def to_traditional(text: str) -> str:
    """Standard traditional Chinese: simplified first (which also repairs the odd variants of
    machine-converted text), then OpenCC s2t, whose phrase tables pick 後/后, 乾/干 right."""
    if not text:
        return text
    return _opencc("s2t").convert(to_simplified(text))


def convert_script(text: str | None, script: str) -> str | None:
    """``text`` in the profile's script (``keep`` returns it unchanged)."""
    if not text or script == "keep":
        return text
    if script == "simplified":
        return to_simplified(text)
    if script == "traditional":
        return to_traditional(text)
    raise ValueError(f"unknown script {script!r} (choose from {', '.join(SCRIPTS)})")


def convert_html_text(html: str | None, script: str) -> str | None:
    """Convert only the text between tags, so URLs and attribute values stay byte for byte."""
    if not html or script == "keep":
        return html
    return "".join(part if part.startswith("<") else convert_script(part, script) or ""
                   for part in _HTML_TEXT.split(html))




def text_weight(text: str) -> int:
    """Length with CJK characters counted twice: 120 Chinese characters say about as much as
    240 Latin ones, so one minimum body length serves both scripts.

    An ASCII text (``isascii`` reads a flag of the string) holds no CJK character, and the
    regex costs ~15 ns a character of it."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(len, _CJK_WEIGHTED.findall(text)))


def weighs_less(text: str, weight: int) -> bool:
    """``text_weight(text) < weight``: the minimum-length tests. The weight is never below
    the length, so a text whose length reaches ``weight`` is not counted at all."""
    return len(text) < weight and text_weight(text) < weight


# --- the cleaning stage over a whole record ---------------------------------------------------


def _text_weight_plain(text: str) -> int:
    """The readable form; text_weight (and weighs_less against it) must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return len(text) + sum(map(len, _CJK_WEIGHTED.findall(text)))



@dataclass(slots=True)
class CleanedRecord(Record):
    """A Record after the cleaning stage, still carrying ``original``: the fields script
    conversion changed, as they were before it (None when nothing changed).

    It is a Record everywhere a Record is expected; ``to_dict`` leaves ``original`` out so
    every printed or exported form stays schema-shaped. The store keeps ``original`` in
    its own column.
    """

    original: dict[str, Any] | None = None
    # The near-duplicate signature of body_text, when the parse worker computed it (so the
    # store's thread does not have to); never exported.
    signature: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        data = Record.to_dict(self)
        data.pop("original", None)
        data.pop("signature", None)
        return data


def _clean_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in (normalize_text(v) for v in values) if v))


def _opt(text: str | None) -> str | None:
    return normalize_text(text) or None


def clean_record(record: Record, script: str = "keep") -> CleanedRecord:
    """The cleaning stage: normalised text in every field, sanitised ``body_html`` with
    absolute URLs, image and crumb URLs made absolute (unsafe ones dropped), then the
    profile's script conversion with the pre-conversion text kept in ``original``.

    ``title_raw`` is never converted: it is the headline as the page shows it.
    """
    if script not in SCRIPTS:
        raise ValueError(f"unknown script {script!r} (choose from {', '.join(SCRIPTS)})")
    base = record.url
    images = []
    for image in record.images:
        src = absolute_url(image.src, base, MEDIA_SCHEMES)
        if src:
            images.append(Image(src=src, alt=_opt(image.alt), caption=_opt(image.caption)))
    crumbs = [Crumb(name=name, url=absolute_url(c.url, base)) for c in record.breadcrumb
              if (name := normalize_text(c.name))]
    source = record.source
    if source is not None:
        source = Source(**{k: _opt(v) for k, v in (("name", source.name), ("account_id", source.account_id),
                                                     ("author", source.author), ("channel", source.channel),
                                                     ("line", source.line))})
        if not any((source.name, source.account_id, source.author, source.channel, source.line)):
            source = None
    body_text = normalize_blocks(record.body_text or "")
    values: dict[str, Any] = {name: getattr(record, name) for name in FIELD_NAMES}
    values.update(
        title=normalize_text(record.title), title_raw=_opt(record.title_raw),
        title_spam_prefix=_opt(record.title_spam_prefix), breadcrumb=crumbs, category=_opt(record.category),
        authors=_clean_list(record.authors), tags=_clean_list(record.tags), summary=_opt(record.summary),
        body_text=body_text, body_html=sanitize_html(record.body_html, base), images=images, source=source,
        content_hash=record.content_hash or content_hash(body_text),
    )
    cleaned = CleanedRecord(**values)
    return _convert(cleaned, script) if script != "keep" else cleaned


_CONVERTED = ("title", "summary", "body_text", "body_html", "category")


def _convert(record: CleanedRecord, script: str) -> CleanedRecord:
    """Apply the script conversion; whatever it changed is kept, as it was, in ``original``."""
    changes: dict[str, Any] = {name: (convert_html_text(getattr(record, name), script) if name == "body_html"
                                      else convert_script(getattr(record, name), script)) for name in _CONVERTED}
    changes["tags"] = [convert_script(t, script) or t for t in record.tags]
    changes["breadcrumb"] = [Crumb(name=convert_script(c.name, script) or c.name, url=c.url)
                             for c in record.breadcrumb]
    changes["images"] = [Image(src=i.src, alt=convert_script(i.alt, script), caption=convert_script(i.caption, script))
                         for i in record.images]
    original: dict[str, Any] = {}
    for name, value in changes.items():
        before = getattr(record, name)
        if value != before:
            original[name] = Record.to_dict(record)[name] if name in ("breadcrumb", "images") else before
    if not original:
        return record
    original["script"] = script
    return replace(record, **changes, original=original)
