"""Authors on open-web news pages: people, not outlets, places, dates, ids or photo credits.

Small hand-written pages and byline strings, one general rule each, with negative cases.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.parsing.metadata import extract_authors
from crawler.parsing.page import Page
from crawler.parsing.people import clean_name, looks_like_person, split_people

BODY = "".join(f"<p>Paragraph {i} of the article tells what happened in the city council today and why "
               f"it matters to the people who live there.</p>" for i in range(6))


def _authors(head: str = "", top: str = "", bottom: str = "", *, jsonld: Any = None) -> list[str]:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld is not None else ""
    html = (f"<html lang='en'><head><title>Council approves tram line - Example News</title>"
            f"<meta property='og:site_name' content='Example News'>{head}{script}</head><body>"
            f"<article><h1>Council approves tram line</h1>{top}<div class='content'>{BODY}</div>{bottom}</article>"
            f"</body></html>")
    return extract_authors(Page.from_bytes(html, "https://www.examplenews.com/a/1"))


@pytest.mark.parametrize(("byline", "expected"), [
    ("Samya Kullab and Vasilisa Stepanenko", ["Samya Kullab", "Vasilisa Stepanenko"]),
    ("Autor: Monika Bolliger und Anna Trechsel, Sweidah", ["Monika Bolliger", "Anna Trechsel", "Sweidah"]),
    ("By Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    ("Por María López y Juan Pérez", ["María López", "Juan Pérez"]),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("Von Max Muster", ["Max Muster"]),
    ("Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
    ("Elena Oberholzer (obe), Oliver Maksan (oma)", ["Elena Oberholzer", "Oliver Maksan"]),
    ("Monika Bolliger 05.01.2025, 15:23", ["Monika Bolliger"]),
    ("文/王芳", ["王芳"]),
    ("Jane Doe for Reuters", ["Jane Doe"]),
    ("By TPN, in", ["TPN"]),
])
def test_split_people(byline: str, expected: list[str]) -> None:
    assert split_people(byline) == expected


def test_lastname_firstname_metadata_is_one_person() -> None:
    assert split_people("Baumann, Birgit", metadata=True) == ["Birgit Baumann"]
    assert split_people("Baumann, Birgit") == ["Baumann", "Birgit"]  # a visible list of names
    assert split_people("Jane Doe, John Roe", metadata=True) == ["Jane Doe", "John Roe"]
    assert split_people("Reuters, AFP", metadata=True) == ["Reuters", "AFP"]


def test_italian_label_is_lower_case_only() -> None:
    assert split_people("di Mario Rossi") == ["Mario Rossi"]
    assert split_people("Di Maria Rossi") == ["Di Maria Rossi"]


@pytest.mark.parametrize("name", ["105092", "Foto: dpa", "Getty Images", "https://facebook.com/x", "Example News",
                                  "jane@example.com", "Redaktion: Max Muster", "red", "2024-05-03", "未知"])
def test_not_people(name: str) -> None:
    assert not looks_like_person(clean_name(name), ["examplenews", "example"])


def test_people_shapes() -> None:
    for name in ("Lê Phương", "松岡大地", "Anna Giulia Fink", "MM-Redaktion", "Jan-Erik O'Neill"):
        assert looks_like_person(name, ["examplenews"]), name


def test_jsonld_person_given_and_family_names() -> None:
    ld = {"@type": "NewsArticle", "headline": "Council approves tram line",
          "author": [{"@type": "Person", "givenName": "Birgit", "familyName": "Baumann"},
                     {"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"}]}
    assert _authors(jsonld=ld) == ["Birgit Baumann", "Anna Giulia Fink"]


def test_jsonld_author_by_id_in_graph() -> None:
    graph = {"@graph": [{"@type": "NewsArticle", "headline": "Council approves tram line",
                         "author": {"@id": "https://www.examplenews.com/#/person/jd"}},
                        {"@type": "Person", "@id": "https://www.examplenews.com/#/person/jd", "name": "Jane Doe"}]}
    assert _authors(jsonld=graph) == ["Jane Doe"]


def test_jsonld_string_author_with_and_is_split() -> None:
    ld = {"@type": "NewsArticle", "author": "Samya Kullab and Vasilisa Stepanenko"}
    assert _authors(jsonld=ld) == ["Samya Kullab", "Vasilisa Stepanenko"]


def test_outlet_as_jsonld_author_gives_way_to_the_visible_byline() -> None:
    ld = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}}
    assert _authors(top='<div class="byline">By Jane Doe</div>', jsonld=ld) == ["Jane Doe"]


def test_person_named_after_the_outlet_in_jsonld_is_kept() -> None:
    ld = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Example News staff reporter"}}
    assert _authors(jsonld=ld) == ["Example News staff reporter"]
    assert _authors(jsonld={"@type": "NewsArticle", "author": {"@type": "Person", "name": "Example News"}}) == []


def test_jsonld_author_shown_only_as_editor_is_passed_over() -> None:
    ld = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Heryadi"}}
    top = '<div class="author-2">Naufal Zuhdi</div>'
    bottom = '<div class="info-author">Editor : <a class="author" href="/author/112">Heryadi</a></div>'
    assert _authors(top=top, bottom=bottom, jsonld=ld) == ["Naufal Zuhdi"]


def test_editor_line_is_never_the_author() -> None:
    assert _authors(bottom='<div class="author">Redaktion: Max Muster</div>') == []


def test_meta_author_numeric_id_is_dropped() -> None:
    assert _authors('<meta name="author" content="105092">') == []


def test_cxense_author_meta() -> None:
    assert _authors('<meta name="cXenseParse:author" content="松岡大地">') == ["松岡大地"]


def test_signature_under_the_article() -> None:
    bottom = '<p class="Normal" style="text-align:right;"><strong>Lê Phương</strong></p>'
    assert _authors(bottom=bottom) == ["Lê Phương"]


def test_by_line_of_a_teaser_link_is_another_article() -> None:
    bottom = '<a href="/a/2"><div><h6>By Ben Blanchard and Yimou Lee</h6></div></a>'
    assert _authors(bottom=bottom) == []
    assert _authors(bottom='<p class="text-sm"> By Jane Doe, in <a href="/c">Business</a></p>') == ["Jane Doe"]


def test_photo_credit_is_no_author() -> None:
    assert _authors(top='<div class="byline">Foto: Getty Images</div>') == []


@pytest.mark.parametrize(("byline", "expected"), [
    ("Post author By Helge Muster", ["Helge Muster"]),
    ("Perry Bacon Jr.", ["Perry Bacon Jr."]),
    ("Beitrag von 21.01.2009, 05:42", []),
    ("erstellt von Dominique — veröffentlicht", ["Dominique"]),
    ("Lindsey O&#039;Donnell", ["Lindsey O'Donnell"]),
    ("Jane Doe | Reuters", ["Jane Doe"]),
])
def test_byline_noise(byline: str, expected: list[str]) -> None:
    assert [n for n in split_people(byline) if looks_like_person(n, [])] == expected


@pytest.mark.parametrize("name", ["<a href=", "#author", "charleen-rethmeyer-example-eu",
                                  "Hecho en Bolivia con Drupal por Smartica", "Beitrag von"])
def test_markup_slugs_and_phrases_are_no_names(name: str) -> None:
    assert not looks_like_person(name, [])
