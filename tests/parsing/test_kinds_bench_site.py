"""The article decision on the throughput benchmark's generated site: every article page is an
article and every listing page (the home page and ``list/<k>.html``) is not, so a crawl of
that site (``make bench``) stores exactly its articles. The crawl's workers and ``newscrawl
parse`` share the decision (``judge_page``), so checking it here checks both."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.sitegen import generate_site
from crawler.parsing import NotAnArticle, judge_article, parse_article

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("benchsite") / "site"
    generate_site(out, 160, workers=1)
    return out


def _url(site: Path, page: Path) -> str:
    return f"{ORIGIN}/{page.relative_to(site).as_posix()}"


def test_every_generated_article_is_an_article(site: Path) -> None:
    pages = sorted(site.glob("news/**/*.html")) + sorted(site.glob("zh/**/*.html"))
    assert len(pages) == 160
    not_articles = []
    for page in pages:
        verdict = judge_article(page.read_bytes(), _url(site, page))
        if not verdict.is_article:
            not_articles.append((page.name, verdict.kind, verdict.reason))
    assert not_articles == []


def test_no_generated_listing_page_is_an_article(site: Path) -> None:
    listings = [site / "index.html", *sorted((site / "list").glob("*.html"))]
    assert len(listings) >= 4
    for page in listings:
        verdict = judge_article(page.read_bytes(), _url(site, page))
        assert verdict.kind == "listing", (page.name, verdict.kind, verdict.reason)
        with pytest.raises(NotAnArticle):  # the crawl's path refuses the same page
            parse_article(page.read_bytes(), _url(site, page))
