"""A multi-page article's raw page keeps its other pages: stored beside it (``raw_page_parts``),
replaced when it is, read back by ``iter_raw_pages`` in page order, and carried whole through
the spill file a store that cannot write falls back to."""

from __future__ import annotations

from storage.outcomes import PagePart, RawPage
from storage.repository import Repository
from storage.spill import _decode, _encode

URL = "http://news.example.cn/news/1001.html"


def raw(parts: tuple[PagePart, ...], single_view: bool = False) -> RawPage:
    return RawPage(URL, URL, "<html>第一页</html>".encode(), "utf-8", 200, "2025-04-02T04:00:00+00:00", parts,
                   single_view)


def test_parts_are_stored_replaced_and_read_back_in_order(repo: Repository) -> None:
    parts = tuple(PagePart(f"http://news.example.cn/news/1001_{n}.html", f"<html>第{n}页</html>".encode(), "utf-8",
                           200) for n in (2, 3))
    repo.store_batch([raw(parts)])
    [stored] = list(repo.iter_raw_pages())
    assert stored.page.parts == parts and not stored.page.single_view
    view = PagePart("http://news.example.cn/news/1001_all.html", b"<html>all</html>")
    repo.store_batch([raw((view,), single_view=True)])
    [stored] = list(repo.iter_raw_pages())
    assert stored.page.parts == (view,) and stored.page.single_view


def test_spill_keeps_the_parts() -> None:
    page = raw((PagePart("http://news.example.cn/news/1001_2.html", b"\x00\xffbytes", None, 200),))
    assert _decode(_encode(page)) == page
