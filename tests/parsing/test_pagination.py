"""Pagination detection and merging, pure: which page of its article a page is, what never counts
as the article's next page (a next post, a listing's pages, the comments' pages), and one record
from several pages with the pager and repeated furniture left out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.article import process_page
from crawler.parsing import Page, ParseOptions
from crawler.parsing.merge import judge_pages
from crawler.parsing.pagination import detect_pagination, is_pager_line, page_number, pager_blocks
from storage.outcomes import PagePart
from tests.helpers import multipage as mp

B = "http://news.example.cn"
NOW = datetime(2025, 5, 1, tzinfo=UTC)


def zh(n: int, pages: int = 3, **kwargs: object) -> Page:
    url = f"{B}/news/1001.html" if n == 1 else f"{B}/news/1001_{n}.html"
    return Page.from_bytes(mp.zh_page(B, 1001, n, pages, **kwargs).encode(), url)  # type: ignore[arg-type]


def en(n: int) -> Page:
    url = f"{B}/2025/04/river-bridge-rebuild" + ("" if n == 1 else f"?page={n}")
    return Page.from_bytes(mp.en_page(B, n).replace("__BASE__", B).encode(), url)


@pytest.mark.parametrize(("first", "other", "number"), [
    ("http://a.cn/news/1001.html", "http://a.cn/news/1001_2.html", 2),
    ("http://a.cn/news/1001.html", "http://a.cn/news/1001-3.html", 3),
    ("http://a.cn/show-12-345-1.html", "http://a.cn/show-12-345-2.html", 2),
    ("https://a.com/story", "https://a.com/story?page=2", 2),
    ("https://a.com/story?id=5", "https://a.com/story?id=5&p=2", 2),
    ("https://a.com/story?id=5", "https://a.com/story?pg=4&id=5", 4),
    ("https://a.com/2019/05/slug/", "https://a.com/2019/05/slug/2/", 2),
    ("https://a.com/2019/05/slug/", "https://a.com/2019/05/slug/page/3/", 3),
    # never: another article, a next post, a post id, another host, a comment page
    ("http://a.cn/news/1001.html", "http://a.cn/news/1002.html", None),
    ("http://a.cn/news/1001.html", "http://a.cn/news/list_2.html", None),
    ("https://a.com/2025/05/01/first-post/", "https://a.com/2025/05/02/second-post/", None),
    ("https://a.com/?p=959", "https://a.com/?p=960", None),
    ("https://a.com/story?id=5", "https://a.com/story?p=2", None),
    ("http://a.cn/news/1001.html", "http://b.cn/news/1001_2.html", None),
    ("https://a.com/2019/05/slug/", "https://a.com/2019/05/slug/comment-page-2/", None),
    ("https://a.com/story", "https://a.com/story?cpage=2", None),
])
def test_page_number_only_for_page_numbered_variants(first: str, other: str, number: int | None) -> None:
    assert page_number(first, other) == number


def test_dedecms_first_page_lists_its_pages() -> None:
    found = detect_pagination(zh(1))
    assert found is not None and found.number == 1 and found.first_url == f"{B}/news/1001.html"
    assert found.pages == ((2, f"{B}/news/1001_2.html"), (3, f"{B}/news/1001_3.html"))
    assert found.single_page_url is None


def test_continuation_pages_point_back_to_their_first_page() -> None:
    for n in (2, 3):
        found = detect_pagination(zh(n))
        assert found is not None and found.is_continuation and found.number == n
        assert found.first_url == f"{B}/news/1001.html"
    second = detect_pagination(en(2))
    assert second is not None and (second.number, second.first_url) == (2, f"{B}/2025/04/river-bridge-rebuild")


def test_rel_next_in_the_head_alone_is_enough() -> None:
    html = mp.en_page(B, 1).replace("__BASE__", B)
    head_only = html[:html.index("<nav")] + html[html.index("</nav>") + 6:]
    found = detect_pagination(Page.from_bytes(head_only.encode(), f"{B}/2025/04/river-bridge-rebuild"))
    assert found is not None and found.pages == ((2, f"{B}/2025/04/river-bridge-rebuild?page=2"),)


def test_single_page_link_is_offered() -> None:
    found = detect_pagination(zh(1, single=True))
    assert found is not None and found.single_page_url == f"{B}/news/1001_all.html"


def test_next_post_and_comment_pages_are_no_pagination() -> None:
    for path, nxt in (("/2025/05/01/first-post/", "/2025/05/02/second-post/"), ("/2025/05/02/second-post/", None)):
        page = Page.from_bytes(mp.wp_post(path, nxt).replace("__BASE__", B).encode(), B + path)
        assert detect_pagination(page) is None


def test_a_page_numbered_url_without_a_link_back_is_not_a_continuation() -> None:
    # /news/123/ reads as "page 123 of /news/": only a link back to /news/ as its page 1 would say so
    html = mp.en_page(B, 1).replace("__BASE__", B)
    page = Page.from_bytes(html.replace('href="/"', 'href="/news/"').encode(), f"{B}/news/123/")
    found = detect_pagination(page)
    assert found is None or not found.is_continuation


def test_listing_pagination_is_not_an_article_pagination() -> None:
    outcome = process_page(mp.listing_page(1, 3, [f"/news/{n}.html" for n in range(1001, 1021)]).encode(),
                           f"{B}/news/list.html", ParseOptions(), NOW, 200, None, True, False)
    assert outcome.record is None and outcome.pagination is None


def test_continuation_page_alone_gives_no_record_but_its_first_page() -> None:
    outcome = process_page(mp.zh_page(B, 1001, 2, 3).encode(), f"{B}/news/1001_2.html", ParseOptions(), NOW, 200,
                           None, True, False)
    assert outcome.record is None and outcome.reason == f"page 2 of {B}/news/1001.html"
    assert outcome.pagination is not None and outcome.pagination.first_url == f"{B}/news/1001.html"


@pytest.mark.parametrize(("text", "pager"), [
    ("上一页 1 2 3 下一页", True), ("共3页: 上一页 1 2 3 下一页", True), ("首页 上一页 1 2 下一页 末页", True),
    ("« Previous 1 2 Next »", True), ("Page 1 of 2: 1 2 Next page", True), ("Seite 1 von 3: 1 2 3 Weiter", True),
    ("1", False), ("2024-05-01", False), ("Weiter geht es morgen mit der Sitzung", False), ("12 / 2024", False),
])
def test_pager_lines(text: str, pager: bool) -> None:
    assert is_pager_line(text) is pager


def test_pager_split_into_one_block_per_link() -> None:
    blocks = ["第一段正文。", "上一页", "1", "2", "3", "下一页", "2", "第二段正文。"]
    assert pager_blocks(blocks) == {1, 2, 3, 4, 5, 6}
    assert pager_blocks(["表格：", "3", "正文继续。"]) == set()  # a lone number is a figure


def test_merge_appends_every_page_in_order_without_pager_or_repeats() -> None:
    # the profile's body box holds the pager and a share line every page repeats
    opts = ParseOptions(selectors={"body": "div.article"})
    verdict = judge_pages([zh(1), zh(2), zh(3)], opts, NOW)
    record = verdict.record
    assert record.page_count == 3
    text = record.body_text
    firsts = [mp.ZH_PARAGRAPHS[n][0] for n in range(3)]
    assert text.index(firsts[0]) < text.index(firsts[1]) < text.index(firsts[2])
    assert "下一页" not in text and "上一页" not in text
    assert text.count("来源：测试新闻网") <= 1 and text.count(mp.ZH_TITLE) <= 1
    assert record.body_html is not None and "下一页" not in record.body_html
    assert firsts[2] in record.body_html
    single = judge_pages([zh(1)], opts, NOW).record
    assert single.page_count is None and record.content_hash != single.content_hash


def test_merge_keeps_images_of_every_page_once() -> None:
    def with_images(n: int) -> Page:
        figures = (f'<figure><img src="/img/lead.jpg"></figure><figure><img src="/img/p{n}.jpg">'
                   f'<figcaption>第{n}页图片说明</figcaption></figure>')
        html = mp.zh_page(B, 1001, n, 3).replace('<div class="content">', f'<div class="content">{figures}')
        return Page.from_bytes(html.encode(), f"{B}/news/1001.html" if n == 1 else f"{B}/news/1001_{n}.html")

    images = judge_pages([with_images(n) for n in (1, 2, 3)], None, NOW).record.images
    srcs = [i.src for i in images]
    assert srcs == [f"{B}/img/lead.jpg", f"{B}/img/p1.jpg", f"{B}/img/p2.jpg", f"{B}/img/p3.jpg"]
    assert images[3].caption == "第3页图片说明"


def test_process_page_merges_parts_and_signs_the_merged_text() -> None:
    parts = tuple(PagePart(f"{B}/news/1001_{n}.html", mp.zh_page(B, 1001, n, 3).encode()) for n in (2, 3))
    first = mp.zh_page(B, 1001, 1, 3).encode()
    merged = process_page(first, f"{B}/news/1001.html", ParseOptions(), NOW, 200, None, True, False, parts=parts)
    alone = process_page(first, f"{B}/news/1001.html", ParseOptions(), NOW, 200, None, True, False)
    assert merged.record is not None and alone.record is not None
    assert merged.record.page_count == 3 and mp.ZH_PARAGRAPHS[2][1] in merged.record.body_text
    assert merged.record.signature != alone.record.signature
    assert merged.pagination is not None and [n for n, _ in merged.pagination.pages] == [2, 3]


def test_single_page_view_replaces_the_body_and_counts_the_pages() -> None:
    view = PagePart(f"{B}/news/1001_all.html", mp.zh_single(B, 1001, 3).encode())
    first = mp.zh_page(B, 1001, 1, 3, single=True).encode()
    outcome = process_page(first, f"{B}/news/1001.html", ParseOptions(), NOW, 200, None, True, False,
                           parts=(view,), single_view=True)
    assert outcome.record is not None and outcome.record.page_count == 3
    assert outcome.record.url == f"{B}/news/1001.html"
    assert all(mp.ZH_PARAGRAPHS[n][0] in outcome.record.body_text for n in range(3))


@pytest.mark.parametrize(("page_url", "href"), [
    ("https://e.com/a/1001.html", "/a/1001_2.html"),
    ("https://e.com/a/1001_2.html", "https://e.com/a/1001.html"),
    ("https://e.com/story/river-path/", "/story/river-path/2/"),
    ("https://e.com/story/river-path/2/", "/story/river-path/"),
    ("https://e.com/story/river-path", "?page=2"),
    ("https://e.com/story/river-path?page=2", "/story/river-path"),
    ("https://e.com/story/river-path/", "2/"),
    ("https://e.com/news/%E6%B2%B3.html", "/news/%E6%B2%B3_2.html"),
    ("https://e.com/news/%E6%B2%B3.html", "/news/河_2.html"),
    ("https://e.com/", "/anything"),
])
def test_address_prefilter_lets_every_page_link_through(page_url: str, href: str) -> None:
    from crawler.parsing.pagination import _may_be_a_page_of, _stem

    assert _may_be_a_page_of(href, _stem(page_url))


def test_address_prefilter_spares_other_articles_links() -> None:
    from crawler.parsing.pagination import _may_be_a_page_of, _stem

    assert not _may_be_a_page_of("/story/harbour-ferries/", _stem("https://e.com/story/river-path/"))
