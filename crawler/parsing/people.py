"""Author names: reading, cleaning and splitting what pages put in their byline slots.

Byline slots hold more than people: labels ("Autor:", "By", "Von", "文/"), desk initials
("Elena Oberholzer (obe)"), dates and places run into the same line, the outlet itself,
photo credits, numeric ids, editors. A name list is split on the conjunctions of the
page's languages ("A und B", "A y B", "A et B", "A, B"), while creator metadata written
"Lastname, Firstname" is one person.
"""

from __future__ import annotations

import html
import re
from typing import Any

from crawler.parsing.jsonld import jsonld_objects
from crawler.parsing.page import Page, loose, squash

# A label before the names: "By", "Von", "Par", "Por", "Di", "Door", "Av", "Af" need a space
# after them; "Autor:", "Text:", "文/" their colon or slash.
_LABEL = re.compile(
    r"^\s*(?:(?:written|reported|posted|text|texto|testo|tekst|words|story|reportage|autor(?:in|en|es|a)?|author(?:s)?"
    r"|auteur(?:e|s)?|autore|forfatter|författare|skribent|reporter|correspondent|by|von|par|por|di|door|av|af|"
    r"från|from)(?:\s+(?:by|von|par|por|di|door|av|af|and))?\s*[:：]\s*"
    r"|(?:(?:post\s+)?author\s+by|by|von|par|por|(?-i:di)|door|av|af|written by|reported by|posted by|text von|"
    r"(?:ein\s+)?beitrag von|erstellt von|geschrieben von|verfasst von|"
    r"un article de|escrito por|scritto da|geschreven door)\s+(?=\S)"
    r"|(?:作者|撰文|文|记者|記者|采写|通讯员|筆者|글|기자)\s*[:：/|丨]\s*)",
    re.I)
# Desk initials after a name: "Elena Oberholzer (obe)", "Corina Gall (cog.)".
_INITIALS = re.compile(r"\s*[(（]\s*[a-zäöüéè.]{1,6}\s*[)）]\s*$")
_DATE_TAIL = re.compile(r"[\s,;|•·-]*(?:\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?|\d{1,2}:\d{2}|\d{4}年).*$")
# The word before a date after a byline's names ("Posted by X on ...", "am", "le", "el", "op")
_DATE_VERB = r"(?:on|am|le|el|op)"
# The verb or label of the date that follows a byline: "作者：王小明 发表于 2005-5-7", "Posted by X on ..."
_VERB_TAIL = re.compile(r"(?:\s*(?:发表于|發表於|发布于|發佈於|发表时间|发布时间|发表|时间|日期)"
                        r"|\s+" + _DATE_VERB + r")\s*$", re.I)
# That word and a date in words or digits (at most two words before its first digit)
_ON_DATE = re.compile(r"[\s,]+" + _DATE_VERB + r"\s+(?=(?:[^\W\d_]+\.?,?\s+){0,2}\d)", re.I)
_ROLE_TAIL = re.compile(r"\s+(?:기자|특파원|記者|特派員|记者|特约记者|通讯员)$")
_CONJUNCTIONS = re.compile(r"\s*(?:,|，|、|;|；|\s&\s|\s\+\s|\s(?:and|und|y|e|et|og|och|és|ve|и|i)\s|\s{2,}"
                           r"|\s*[丨/]\s*)\s*", re.I)
_CREDIT = re.compile(r"\b(?:foto|fotos|photo|photos|bild|bilder|image|images|getty|shutterstock|istock|imago|"
                     r"picture[- ]alliance|keystone|illustration|grafik|video)\b|摄影|图片|圖片|图/|圖/", re.I)
# An editor's label ("Redaktion: X", "edited by X"); a newsroom signing as "MM-Redaktion" is
# a byline, kept as the page gives it.
_EDITOR_WORDS = re.compile(r"^(?:editor|editors|redaktion|redakteur|redaktør|redacteur|redacción|redazione|rédaction)"
                           r"\s*[:：]|\b(?:edited by|bearbeitet von|editado por)\b"
                           r"|责任编辑|責任編輯|责编|責編|编辑|編輯|編集|편집", re.I)
_EDITOR_BEFORE = re.compile(r"(?:edited by|editor|editors|redaktion|redakteur(?:in)?|redaktør|redacteur|redacción|"
                            r"redazione|rédaction|bearbeitet von|editado por"
                            r"|责任编辑|責任編輯|责编|責編|编辑|編輯|編集|편집)"
                            r"\s*[:：]?\s*$", re.I)
_NOT_NAMES = {"未知", "佚名", "网络整理", "网络", "本站", "匿名", "admin", "administrator", "name", "编辑", "小编",
              "unknown", "staff", "网友", "red", "red.", "redaktion", "newsroom", "editorial", "editor", "desk",
              "anonymous", "guest", "redazione", "rédaction", "redacción"}
_DANGLING = {"by", "von", "par", "por", "de", "di", "door", "av", "af", "from", "author", "autor", "written"}
_MARKUP = re.compile(r"[<>={}\[\]#]")
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}")
_WORDISH = re.compile(r"[^\W\d_]", re.UNICODE)


def clean_name(text: str) -> str:
    """One name without its label, desk initials, trailing date or role word."""
    name = squash(text)
    for _ in range(2):  # "Text und Fotos: Von ..." has two labels at most
        stripped = _LABEL.sub("", name, count=1)
        if stripped == name:
            break
        name = stripped
    name = _DATE_TAIL.sub("", name)
    name = _VERB_TAIL.sub("", name)
    name = _INITIALS.sub("", name)
    name = _ROLE_TAIL.sub("", name)
    name = name.strip(" :：,;-–—|·•()（）[]\"'“”")
    # a final dot ends "Jr." or an initial ("John F."), else it is punctuation
    return name if re.search(r"(?:^|\s)\w{1,2}\.$", name) else name.rstrip(". ")


def split_people(text: str, *, metadata: bool = False) -> list[str]:
    """The names in a byline: its label, dates and initials removed, split on the lists'
    conjunctions. ``metadata``: the text is a creator field, where "Lastname, Firstname"
    (two single words around one comma) is one person, given back as "Firstname Lastname"."""
    text = squash(html.unescape(text))
    if not text:
        return []
    # "Jane Doe | Reuters", "Jane Doe — published": what follows a bar or dash is no name
    text = re.split(r"\s+[|—]\s+|\s+[–-]\s+(?=\S*[a-zäöü])|\s*[|丨]\s*$", text)[0]
    # "Jane Doe for Reuters" / "Jane Doe in Berlin" / a year: the rest is no name
    text = _LABEL.sub("", text, count=1)
    text = re.split(r",?\s+(?:for|für|pour|para|per|in|at|aus)(?:\s+(?=[A-ZÄÖÜ])|\s*$)", text)[0]
    # "Tom Baker on March 14, 2009", "Max Muster am 14. März 2009": the date's verb and the date
    text = _ON_DATE.split(text)[0]
    if metadata:
        parts = [p.strip() for p in text.split(",")]
        # both capitalised words in mixed case: "Reuters, AFP" or "dpa, afp" are two credits
        if len(parts) == 2 and all(re.fullmatch(r"[^\W\d_][\w'’-]*", p) and p[0].isupper() and not p.isupper()
                                   for p in parts) \
                and not re.search(r"\s(?:and|und|&)\s", text):
            return [f"{parts[1]} {parts[0]}"]
    names = [clean_name(p) for p in _CONJUNCTIONS.split(text)]
    return [n for n in names if 1 < len(n) <= 60]


def jsonld_people(page: Page, value: Any) -> tuple[list[str], list[str]]:
    """(person names, organisation names) of a JSON-LD author value: a string, a Person or
    Organization object (name, or givenName + familyName), a reference by ``@id`` to an
    object elsewhere in the page's JSON-LD, or a list of these."""
    people: list[str] = []
    orgs: list[str] = []
    by_id: dict[str, dict[str, Any]] | None = None

    def visit(item: Any, depth: int) -> None:
        nonlocal by_id
        if depth > 3:
            return
        if isinstance(item, list):
            for sub in item:
                visit(sub, depth + 1)
            return
        if isinstance(item, str):
            people.extend(split_people(item, metadata=True))
            return
        if not isinstance(item, dict):
            return
        name = item.get("name")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if not isinstance(name, str) or not name.strip():
            given, family = item.get("givenName"), item.get("familyName")
            name = " ".join(n for n in (given, family) if isinstance(n, str) and n.strip()) or None
        if name is None and isinstance(item.get("@id"), str) and len(item) <= 2:
            if by_id is None:
                by_id = {o["@id"]: o for o in jsonld_objects(page) if isinstance(o.get("@id"), str)}
            target = by_id.get(item["@id"])
            if target is not None and target is not item:
                visit(target, depth + 1)
            return
        if not name:
            return
        kind = item.get("@type")
        kinds = set(kind) if isinstance(kind, list) else {kind}
        if kinds & {"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"}:
            orgs.append(squash(name))
        else:
            people.extend(split_people(name, metadata=True))

    visit(value, 0)
    return people, orgs


def looks_like_person(name: str, outlets: list[str], *, exact: bool = False) -> bool:
    """A person's name as far as its shape tells: letters (no digits, no URL or e-mail),
    at most six words, not a placeholder, not an editor label or a photo credit, not one of
    the page's outlet names (``outlets``: loose forms, see ``loose``), nor holding one unless
    ``exact`` (then only equal to one)."""
    low = name.strip().lower()
    if not low or low in _NOT_NAMES or "@" in low or "http" in low or "www." in low or len(low) > 60:
        return False
    if any(ch.isdigit() for ch in low) or not _WORDISH.search(low) or len(low.split()) > 6:
        return False
    if _CREDIT.search(low) or _EDITOR_WORDS.search(low):
        return False
    if low.split()[-1] in _DANGLING:  # "Beitrag von": a label whose name is missing
        return False
    if _MARKUP.search(name) or _SLUG.fullmatch(name):  # markup or a URL slug ("jane-doe-example-com")
        return False
    # three or more lower-case words that are no particles: a phrase ("Hecho en Bolivia con Drupal por X")
    words = name.split()
    if len(words) > 1 and sum(1 for w in words if w[0].islower() and w not in _PARTICLES) >= 3:
        return False
    key = loose(name)
    if len(key) < 2:
        return False
    if exact:
        return key not in outlets
    return not any(key == o or (len(o) >= 3 and o in key) or (len(key) >= 3 and key in o) for o in outlets)


_PARTICLES = {"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von", "der", "den", "ter", "le", "la",
              "bin", "binti", "al", "el", "y", "e", "du", "zu", "af", "av"}


_CJK_NAME = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_KANA_HANGUL_NAME = re.compile(r"(?=.*[\u3040-\u30ff\uac00-\ud7af])[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{2,6}")


def name_shaped(text: str) -> bool:
    """Shaped like a personal name, for lines that hold nothing but it (a signature, a "By"
    line): one to five capitalised words (particles such as "de", "van" aside), or two to
    four Chinese characters, or a short Japanese or Korean name."""
    text = text.strip()
    if _CJK_NAME.fullmatch(text) or _KANA_HANGUL_NAME.fullmatch(text):
        return True
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words if w) and any(w[0].isupper() for w in words)


def editor_only(page: Page, name: str) -> bool:
    """Whether ``name`` shows on the page only after an editor label ("Editor : <a>X</a>",
    "(责编：X)"): a CMS that files the desk editor as the JSON-LD author. Read on the body's
    joined text (``page.body_string``), where a label and the name in the next element
    stand side by side, without a search of the text nodes."""
    text = page.body_string
    if len(name) < 2:
        return False
    start = text.find(name)
    seen = 0
    while start != -1 and seen < 6:
        seen += 1
        if not _EDITOR_BEFORE.search(text[max(0, start - 40):start]):
            return False
        start = text.find(name, start + len(name))
    return seen > 0
