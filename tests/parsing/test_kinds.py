"""Article or not: the verdict on hand-written non-article pages and on articles that look like them.

Why: the crawl stores only pages judged to be articles, so a listing, tag, author, "about" or
soft-404 page judged an article pollutes the corpus, and an article judged "not an article"
is lost without a trace. ``tests/fixtures/nonarticles`` holds pages that must never be
stored (plus the demo site's listings, by path), ``tests/fixtures/hardarticles`` articles
built to trip the rules the other way (short briefs, undated posts, liveblogs, link-heavy
digests); both are described in their ``manifest.jsonl``.

The pages the rules get wrong today are listed in ``KNOWN_FAILURES`` below and run as strict
xfails: when a rule change fixes one, its XPASS fails the suite until the entry is removed,
so the list always says exactly what is still wrong. ``python -m benchmarks.bench_kind``
prints the same decisions with the dev sets' figures beside them.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_kind import ARTICLE, FIXTURES, Case, decide, fixture_cases
from crawler.parsing import NotAnArticle, judge_article, parse_article

KINDS = {"listing", "home", "tag", "search", "profile", "about", "contact", "soft404", "archive", "other"}
MIN_NON_ARTICLE_RECALL = 0.95

#: "corpus/path" -> why the verdict on it is wrong today. Remove an entry when its case XPASSes.
KNOWN_FAILURES: dict[str, str] = {
    "nonarticles/en-news-video-hub.html":
        "each video item opens with its duration, so its link text is not the block's start, "
        "and the hub's intro reads as a short article",
}

CASES = fixture_cases()


def case_key(case: Case) -> str:
    return f"{case.corpus}/{case.id}"


def case_id(case: Case) -> str:
    """Short test ids: the demo site's pages by their site path."""
    key = case_key(case)
    return key.replace("../../../crawler/demo/site/", "demo:/")


def _param(case: Case) -> object:
    why = KNOWN_FAILURES.get(case_key(case))
    marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
    return pytest.param(case, id=case_id(case), marks=marks)


NON_ARTICLES = [c for c in CASES if c.corpus == "nonarticles"]
HARD_ARTICLES = [c for c in CASES if c.corpus == "hardarticles"]


def test_manifests_are_well_formed() -> None:
    """Every line names an existing page, a known kind and a URL; ids are unique; the known
    failures name real cases (a stale entry would hide nothing and mislead)."""
    assert len(NON_ARTICLES) >= 45 and len(HARD_ARTICLES) >= 15
    assert all(c.label in KINDS for c in NON_ARTICLES)
    assert all(c.label == ARTICLE for c in HARD_ARTICLES)
    assert all(c.url and c.path.exists() for c in CASES)
    keys = [case_key(c) for c in CASES]
    assert len(keys) == len(set(keys))
    assert set(KNOWN_FAILURES) <= set(keys)
    own = [c for c in NON_ARTICLES if c.path.parent == FIXTURES / "nonarticles"]
    assert len(own) >= 45


@pytest.mark.parametrize("case", [_param(c) for c in NON_ARTICLES])
def test_non_article_is_not_judged_article(case: Case) -> None:
    outcome = decide(case)
    assert not outcome.judged_article, f"{case.label} page judged an article ({case.note})"


@pytest.mark.parametrize("case", [_param(c) for c in HARD_ARTICLES])
def test_hard_article_is_judged_article(case: Case) -> None:
    outcome = decide(case)
    assert outcome.judged_article, f"judged {outcome.kind}: {outcome.reason} ({case.note})"


def test_non_article_recall() -> None:
    """The corpus as a whole: a few hard pages may slip, a rule that lets many through may not."""
    missed = [case_id(c) for c in NON_ARTICLES if decide(c).judged_article]
    recall = 1 - len(missed) / len(NON_ARTICLES)
    assert recall >= MIN_NON_ARTICLE_RECALL, f"recall {recall:.3f}; judged articles: {', '.join(missed)}"


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in CASES])
def test_crawl_decision_equals_parse_verdict(case: Case) -> None:
    """The crawl drops a page exactly when ``newscrawl parse`` shows it as not an article:
    ``parse_article`` raises NotAnArticle iff ``judge_article`` raises or says another kind."""
    html = case.html()
    try:
        verdict = judge_article(html, case.url or "", fetched_at=case.fetched_at)
        judged = verdict.is_article
    except NotAnArticle:
        judged = False
    try:
        record = parse_article(html, case.url or "", fetched_at=case.fetched_at)
        parsed = True
    except NotAnArticle:
        parsed = False
    assert parsed == judged
    if parsed:
        assert record == verdict.record


ARTICLE_HTML = ("<html><head><title>Storm closes the coast road | Example News</title></head><body>"
                "<h1>Storm closes the coast road</h1>" + "".join(
                    f"<p>Paragraph {i}: the coast road stays closed after the storm brought down trees and power "
                    f"lines along a ten-kilometre stretch, the county said on Tuesday.</p>" for i in range(5))
                + "</body></html>")


@pytest.mark.parametrize("url", ["https://news.example.com/news/404.html",
                                 "https://news.example.com/about-the-new-law-passed-today/",
                                 "https://news.example.com/?p=959", "https://news.example.com/index.php?id=12"])
def test_article_addresses_that_only_look_like_kind_names(url: str) -> None:
    """An article numbered 404, a slug that starts with "about", a post addressed by a query:
    none is evidence of a non-article page."""
    assert judge_article(ARTICLE_HTML.encode(), url).is_article


@pytest.mark.parametrize(("url", "kind"), [("https://news.example.com/", "listing"),
                                           ("https://news.example.com/tag/storms/", "listing"),
                                           ("https://news.example.com/impressum", "page")])
def test_addresses_that_name_a_non_article_page(url: str, kind: str) -> None:
    verdict = judge_article(ARTICLE_HTML.encode(), url)
    assert verdict.kind == kind, verdict.reason


def test_dated_article_address_with_many_link_blocks_is_an_article() -> None:
    """A dated page at an article's address whose extracted body is half link texts (the site's
    news lists around the article) is an article the extractor misread, not a listing; the
    same page at a section's address stays a listing."""
    links = "".join(f"<p><a href='/n/{i}'>Another headline of the day number {i}</a></p>" for i in range(8))
    html = ("<html><head><title>Storm closes the coast road | Example News</title></head><body>"
            "<p>02.02.2022 10:16 Uhr - Region</p><h1>Storm closes the coast road</h1>" + links + "".join(
                f"<p>Paragraph {i}: the coast road stays closed after the storm brought down trees and power "
                f"lines along a ten-kilometre stretch, the county said on Tuesday.</p>" for i in range(5))
            + "</body></html>")
    assert judge_article(html.encode(), "https://news.example.com/r/news-1-1-1-139353.html").is_article
    assert not judge_article(html.replace("02.02.2022 10:16 Uhr - ", "").encode(),
                             "https://news.example.com/r/news-1-1-1-139353.html").is_article
