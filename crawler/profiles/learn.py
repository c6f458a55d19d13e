"""Learning a site's selectors from its pages (``newscrawl profiles new``).

For each field the generic parsers filled on a page, the elements holding that value are
named as CSS selectors (an id, else tag and classes, alone or under their parent); a
candidate is kept when, read as a profile selector (``crawler.parsing.selectors``), it gives
the generic value on every learning page. Kept selectors are then checked on other pages of
the site; a field that no candidate pins is reported with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.parsing import Record
from crawler.parsing.clean import normalize_text
from crawler.parsing.page import Page, element_text
from crawler.parsing.selectors import pinned_values, select_elements

#: fields learned from the page; the rest are lists the generic extractors read well
LEARNED = ("title", "body", "summary", "authors", "published_at", "modified_at", "category", "source")
_NAME = re.compile(r"[A-Za-z][\w-]*$")
_SKIP = {"html", "head", "body", "script", "style", "meta", "link", "title"}


@dataclass
class Sample:
    """One article page of the site: its parsed page and the generic record."""

    url: str
    page: Page
    record: Record


@dataclass
class Learned:
    """What learning found: a selector per pinned field, checks per field, and why the
    other fields could not be pinned."""

    selectors: dict[str, str] = field(default_factory=dict)
    checked: dict[str, tuple[int, int]] = field(default_factory=dict)  # field: (agree, pages)
    not_pinned: dict[str, str] = field(default_factory=dict)


def css_name(el: Any) -> str:
    """A short CSS selector for ``el``: its id, else its tag and up to two classes."""
    ident = el.get("id") or ""
    if _NAME.match(ident) and not re.search(r"\d{3,}", ident):  # an id with a number is per page
        return f"{el.tag}#{ident}"
    classes = [c for c in (el.get("class") or "").split() if _NAME.match(c) and not re.search(r"\d{3,}", c)]
    return el.tag + "".join(f".{c}" for c in classes[:2])


def _candidates(el: Any) -> Iterator[str]:
    own = css_name(el)
    parent = el.getparent()
    if "#" in own or "." in own:
        yield own
    elif len(el.getroottree().getroot().xpath(f"//{el.tag}")) == 1:
        yield own  # the page's only <article> or <h1>
    if parent is not None and parent.tag not in ("html",):
        yield f"{css_name(parent)} > {own}"
    if el.tag == "time" or el.get("datetime"):
        yield f"{css_name(parent)} {own}" if parent is not None else own


def expected_value(record: Record, name: str) -> Any:
    """The generic value a learned selector must reproduce, in ``pinned_values`` form."""
    if name == "title":
        return record.title_raw or record.title
    if name == "source":
        return record.source.name if record.source else None
    if name in ("published_at", "modified_at"):
        value = getattr(record, name)
        return value[:10] if value else None  # the day: a selector on the shown date may lose the zone
    return getattr(record, name) if name != "body" else record.body_text


def _got(sample: Sample, name: str, selector: str) -> Any:
    if name == "body":
        els = select_elements(sample.page.tree, selector)
        text = "\n".join(element_text(e) for e in els)
        return sample.record.body_text if els and _covers(text, sample.record.body_blocks) else None
    tz = datetime.fromisoformat(sample.record.fetched_at).tzinfo or UTC
    got = pinned_values(sample.page, {name: selector}, tz, datetime.fromisoformat(sample.record.fetched_at)).get(name)
    if name == "source":
        return got.name if got else None
    if name in ("published_at", "modified_at"):
        return got[0][:10] if got else None
    return got


def _covers(text: str, blocks: list[str]) -> bool:
    """The container holds the first and last body blocks."""
    squashed = normalize_text(text)
    return bool(blocks) and blocks[0][:40] in squashed and blocks[-1][:40] in squashed


def _holders(sample: Sample, name: str) -> list[Any]:
    """Elements of the page that hold the field's generic value."""
    record, tree = sample.record, sample.page.tree
    if tree is None:
        return []
    value = expected_value(record, name)
    if not value:
        return []
    if name == "body":
        best = None
        for el in tree.iter():
            if isinstance(el.tag, str) and el.tag not in _SKIP and _covers(element_text(el), record.body_blocks):
                best = el  # the deepest holder comes last in document order
        return [best] if best is not None else []
    out = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        text = normalize_text(element_text(el))
        if name in ("published_at", "modified_at"):
            hit = (el.get("datetime") or "")[:10] == value or (value in text and len(text) < 60)
        elif name == "authors":
            hit = all(n in text for n in value) and len(text) < 40 * len(value) + 20
        else:
            hit = text == value or (name == "source" and value in text and len(text) < len(value) + 20)
        if hit:
            out.append(el)
    return out[-5:]  # the innermost holders


def learn(learn_on: list[Sample], check_on: list[Sample]) -> Learned:
    """Selectors that reproduce the generic values on every page of ``learn_on``, with how
    many of ``check_on`` they agree on."""
    result = Learned()
    for name in LEARNED:
        having = [s for s in learn_on if expected_value(s.record, name)]
        if len(having) < len(learn_on):
            result.not_pinned[name] = (f"the generic parsers find no {name} on {len(learn_on) - len(having)} of "
                                       f"{len(learn_on)} learning pages")
            continue
        chosen = None
        tried: list[str] = []
        for el in _holders(having[0], name):
            for selector in _candidates(el):
                if selector in tried:
                    continue
                tried.append(selector)
                if all(_got(s, name, selector) == expected_value(s.record, name) for s in having):
                    chosen = selector
                    break
            if chosen:
                break
        if chosen is None:
            nowhere = ("its blocks sit in more than one box (no single element holds them)" if name == "body"
                       else "no element holds it on the page (it comes from meta tags or JSON-LD)")
            result.not_pinned[name] = (nowhere if not tried else
                                       f"no selector gives it on all {len(having)} learning pages "
                                       f"(tried {', '.join(tried[:3])})")
            continue
        result.selectors[name] = chosen
        checked = [s for s in check_on if expected_value(s.record, name)]
        agree = sum(_got(s, name, chosen) == expected_value(s.record, name) for s in checked)
        result.checked[name] = (agree, len(checked))
    return result


__all__ = ["LEARNED", "Learned", "Sample", "css_name", "expected_value", "learn"]
