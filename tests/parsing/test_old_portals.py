"""Older portals, forums and blogs: headlines in table cells and ``<font>`` tags under a
site-wide ``<title>``, "作者：… 发表于 2005-5-7 21:23" and "Posted by … on …" lines, GB2312
pages that declare no charset. The pages in ``tests/fixtures/oldportals`` were written for
these tests in the shape such sites have; their manifest gives the URL and fetch time."""

from __future__ import annotations

import pytest

from crawler.parsing import Verdict, judge_article
from crawler.parsing.headline import headline_element, headline_text
from crawler.parsing.page import Page
from crawler.parsing.people import split_people
from tests.helpers.fixtures import FIXTURES, load_manifest

PAGES = {page.name: page for page in load_manifest(FIXTURES / "oldportals" / "manifest.jsonl")}


def _judge(name: str) -> Verdict:
    page = PAGES[name]
    return judge_article(page.html(), page.url, fetched_at=page.fetched_at)


@pytest.mark.parametrize("name", ["zh-portal-table-font.html", "zh-portal-gb2312-no-charset.html"])
def test_portal_headline_in_a_font_tag_and_its_meta_line(name: str) -> None:
    verdict = _judge(name)
    record = verdict.record
    assert verdict.is_article
    assert record.title == "我市举行中小学生运动会开幕式"  # not the site-wide <title>
    assert record.published_at == "2005-05-07T21:23:00+08:00"
    assert record.authors == ["王小明"]  # "发表于" is the verb of the date, not part of the name
    assert record.view_count == 352
    assert record.body_text.startswith("5月6日上午，我市第十二届中小学生运动会")
    assert "版权所有" not in record.body_text


def _blog() -> Verdict:
    return _judge("en-blog-posted-by.html")


def test_blog_post_title_under_the_site_name_and_its_author() -> None:
    record = _blog().record
    assert record.title == "Planting tomatoes in a cold spring"  # the post's h2, not the blog's h1
    assert record.authors == ["Tom Baker"]  # the "Posted by" line's name, without "on March 14, 2009"


def test_blog_posted_by_line() -> None:
    verdict = _blog()
    record = verdict.record
    assert verdict.is_article
    assert record.published_at == "2009-03-14T21:12:00+00:00"
    assert record.body_text.startswith("The spring has been unusually cold this year")
    assert "Archives" not in record.body_text


# --- the rules behind the blog page, on pages of their own --------------------------------------

_BLOG_HEAD = '<html><head><title>Tom\'s Garden Notes</title>{meta}</head><body>' \
             '<div id="header"><h1><a href="/">Tom\'s Garden Notes</a></h1></div><div id="main">'
_POST = '<h2 class="post-title">{title}</h2><p class="meta">Posted by Tom Baker on {date}</p>' \
        '<div class="entry"><p>{text}</p></div>'
_TEXT = "The spring has been unusually cold this year, and the seedlings waited indoors for weeks. " * 3


def _headline(html: str) -> str:
    element = headline_element(Page.from_bytes(html.encode(), "http://blog.example.org/2009/03/tomatoes.html"))
    return headline_text(element) if element is not None else ""


@pytest.mark.parametrize("date", ["March 14, 2009 at 9:12 pm", "14 March 2009", "2009-03-14"])
def test_a_post_heading_over_its_date_line_is_the_headline_under_a_site_name_h1(date: str) -> None:
    post = _POST.format(title="Planting tomatoes", date=date, text=_TEXT)
    html = _BLOG_HEAD.format(meta="") + post + "</div></body></html>"
    assert _headline(html) == "Planting tomatoes"


def test_a_blog_home_page_of_dated_posts_keeps_the_site_name() -> None:
    """Two headings of the same markup over date lines are a list of posts: none is the headline."""
    posts = "".join(_POST.format(title=title, date="March 14, 2009", text=_TEXT)
                    for title in ("Planting tomatoes", "Pruning roses"))
    assert _headline(_BLOG_HEAD.format(meta="") + posts + "</div></body></html>") == "Tom's Garden Notes"


def test_a_declared_headline_leaves_the_heading_choice_as_it_was() -> None:
    """With an og:title the page names its headline for machines; the older-blog rule stays out."""
    meta = '<meta property="og:title" content="Tom\'s Garden Notes">'
    html = _BLOG_HEAD.format(meta=meta) + _POST.format(title="Planting tomatoes", date="March 14, 2009",
                                                        text=_TEXT) + "</div></body></html>"
    assert _headline(html) == "Tom's Garden Notes"


@pytest.mark.parametrize(("line", "names"), [
    ("Posted by Tom Baker on March 14, 2009 at 9:12 pm", ["Tom Baker"]),
    ("Posted by Tom Baker on Saturday, March 14, 2009", ["Tom Baker"]),
    ("Von Max Muster am 14. März 2009", ["Max Muster"]),
    ("Par Jean Dupont le 5 juin 2019", ["Jean Dupont"]),
    ("Door Jan de Vries op 3 maart 2021", ["Jan de Vries"]),
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("By Leon Elms", ["Leon Elms"]),  # "on"/"el" inside a name is no date's verb
])
def test_a_byline_loses_the_date_after_its_names(line: str, names: list[str]) -> None:
    assert split_people(line) == names
