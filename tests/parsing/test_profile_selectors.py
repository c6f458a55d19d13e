"""Site profiles change the record, key by key (through the pure parser, as ``newscrawl
parse --profile`` and the crawl's parse workers run it): each ``[selectors]`` field, the
boilerplate patterns, ``rules.article_selector`` and ``rules.min_body_chars`` turn the
generic value X into the profile's Y; a selector that matches nothing leaves X; a bad
selector or an unknown key is refused at load with the file and the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler.parsing import ParseOptions, judge_article
from crawler.parsing.explain import explain
from crawler.parsing.page import Page
from crawler.parsing.selectors import SELECTOR_FIELDS, compile_selector, drop_boilerplate_html
from crawler.profiles import PACKAGE_DIR, ProfileError, SiteProfile, load_profile_file
from tests.parsing.profile_pages import PROFILE_TOML, SHARE_LINE, expected, profile_article, short_article, shown

BASE = "http://news.test"
URL = f"{BASE}/news/1.html"


@pytest.fixture()
def profile(tmp_path: Path) -> SiteProfile:
    path = tmp_path / "pinned.toml"
    path.write_text(PROFILE_TOML.format(base=BASE), encoding="utf-8")
    return load_profile_file(path)


def _record(html: str, options: ParseOptions | None, url: str = URL) -> dict[str, object]:
    verdict = judge_article(html, url, options)
    return verdict.record.to_dict() | {"kind": verdict.kind, "explain": verdict.explain}


@pytest.mark.parametrize("field", sorted(set(expected(1, BASE))))
def test_each_selector_turns_the_generic_value_into_the_profiles(profile: SiteProfile, field: str) -> None:
    generic = _record(profile_article(1), None)
    pinned = _record(profile_article(1), profile.parse_options())
    want = expected(1, BASE)[field]
    assert shown(generic, field) != want, f"the generic parser already gives {field}: the test proves nothing"
    assert shown(pinned, field) == want


def test_body_selector_and_boilerplate(profile: SiteProfile) -> None:
    generic = _record(profile_article(1), None)
    pinned = _record(profile_article(1), profile.parse_options())
    assert "city council" in str(generic["body_text"])
    body = str(pinned["body_text"])
    assert body.startswith("Pinned body paragraph one") and "city council" not in body
    assert SHARE_LINE not in body and SHARE_LINE not in str(pinned["body_html"])  # [boilerplate] patterns
    assert "Pinned body paragraph three" in str(pinned["body_html"])
    assert "Advertisement" not in str(pinned["summary"])
    # without the patterns the line stays: it is the pattern that removed it
    from dataclasses import replace

    kept = _record(profile_article(1), replace(profile.parse_options(), boilerplate=()))
    assert SHARE_LINE in str(kept["body_text"]) and "Advertisement" in str(kept["summary"])


def test_a_selector_that_matches_nothing_leaves_the_generic_value(profile: SiteProfile) -> None:
    generic = _record(profile_article(2, byline=False), None)
    pinned = _record(profile_article(2, byline=False), profile.parse_options())
    assert pinned["authors"] == generic["authors"] == ["Meta Person"]
    assert pinned["explain"]["selector_missed"] == "authors"  # type: ignore[index]
    assert pinned["title"] == "Pinned headline number 2"  # the other selectors still apply


def test_article_selector_decides_what_is_an_article(profile: SiteProfile) -> None:
    options = profile.parse_options()
    assert _record(profile_article(3), options)["kind"] == "article"
    missing = judge_article(profile_article(3, marker=False), URL, options)
    assert missing.kind != "article" and "article_selector" in str(missing.reason)
    assert judge_article(profile_article(3, marker=False), URL, None).kind == "article"


def test_min_body_chars_admits_a_short_article(profile: SiteProfile) -> None:
    from crawler.parsing import NotAnArticle

    with pytest.raises(NotAnArticle, match="too short"):
        judge_article(short_article(), f"{BASE}/short.html", None)
    verdict = judge_article(short_article(), f"{BASE}/short.html", profile.parse_options())
    assert verdict.is_article
    assert "The library opens late on Monday because of a staff meeting." in verdict.record.body_text


def test_xpath_selectors_may_select_attributes_and_text() -> None:
    options = ParseOptions(selectors={"title": "xpath: //div[@class='x-head']/text()",
                                      "tags": "xpath: //ul[@class='x-kw']/li/text()"})
    record = _record(profile_article(4), options)
    assert record["title"] == "SPAM: Pinned headline number 4"  # no prefixes set: nothing stripped
    assert record["tags"] == ["alpha", "beta"]


def test_explain_names_each_fields_source(profile: SiteProfile) -> None:
    html = profile_article(1)
    generic = judge_article(html, URL, None)
    sources = explain(Page.from_bytes(html, URL), generic.record, generic.explain)
    assert sources["title"] == "meta og:title"
    assert sources["authors"] == "meta tag"
    assert sources["published_at"] == "meta tag"
    assert sources["source"] == "-"
    assert sources["body"].startswith("heuristic")
    pinned = judge_article(html, URL, profile.parse_options())
    sources = explain(Page.from_bytes(html, URL), pinned.record, pinned.explain)
    assert {sources[f] for f in SELECTOR_FIELDS} == {"profile selector"}


def test_bad_selectors_and_unknown_keys_are_refused_at_load(tmp_path: Path) -> None:
    cases = {
        'name = "x"\n[selectors]\nauthors = "div[["\n': ("selectors.authors", "not a CSS selector"),
        'name = "x"\n[selectors]\ntitle = "xpath: //div[@"\n': ("selectors.title", "not an XPath"),
        'name = "x"\n[selectors]\nheadline = "h1"\n': ("selectors.headline", "unknown field"),
        'name = "x"\n[selectors]\ntags = 3\n': ("selectors.tags", "expected a string"),
        'name = "x"\n[rules]\narticle_selector = "a[["\n': ("rules.article_selector", "bad selector"),
        'name = "x"\n[rules]\nmin_body_chars = -1\n': ("rules.min_body_chars", "negative"),
        'name = "x"\n[rules]\nmin_body = 10\n': ("rules.min_body", "unknown key"),
    }
    for n, (text, (key, reason)) in enumerate(cases.items()):
        path = tmp_path / f"bad{n}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ProfileError) as info:
            load_profile_file(path)
        assert info.value.key == key and reason in info.value.reason and str(path) in str(info.value)


def _keys(data: dict[str, object], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict) and key != "selectors":
            out |= _keys(value, f"{prefix}{key}.")
        else:
            out.add(prefix + key)
    return out


def test_every_key_of_the_example_profile_reaches_the_profile() -> None:
    """Each key example.toml documents lands on the loaded profile with its value (none is
    accepted and dropped), and its selectors table names every field a selector may pin."""
    data = tomllib.loads((PACKAGE_DIR / "example.toml").read_text(encoding="utf-8"))
    profile = load_profile_file(PACKAGE_DIR / "example.toml")
    from crawler.profiles import _SCHEMA

    for key in _keys(data):
        value: object = data
        for part in key.split("." if key != "selectors" else "\0"):
            value = value[part]  # type: ignore[index]
        value = tuple(value) if isinstance(value, list) else value
        assert getattr(profile, _SCHEMA[key][1]) == value, f"{key} is documented but not read"
    assert set(profile.selectors) == set(SELECTOR_FIELDS)
    options = profile.parse_options()
    assert options.selectors == profile.selectors and options.boilerplate == profile.boilerplate
    assert options.article_selector == profile.article_selector
    assert options.min_body_chars == profile.min_body_chars
    assert options.title_prefixes == profile.title_prefixes and options.timezone == profile.timezone


def test_selectors_compile_once() -> None:
    assert compile_selector("div.x-head") is compile_selector("div.x-head")


def test_boilerplate_html_keeps_other_blocks() -> None:
    html = "<p>Keep me.</p><p>Share this story now.</p><h2>Keep</h2>"
    assert drop_boilerplate_html(html, ("^Share",)) == "<p>Keep me.</p><h2>Keep</h2>"
    assert drop_boilerplate_html(html, ("^Nothing",)) == html
