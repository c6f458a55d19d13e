"""Articles split over several pages: which page of its article a page is, and where the rest are.

Long articles are split by the CMS: DedeCMS ``1001.html``, ``1001_2.html`` with a bar
上一页 1 2 3 下一页 under the text; PHPCMS ``show-12-345-1.html``/``-2.html``; English and
German sites ``?page=2``, ``/story/2/``, ``/story/page/2/`` and ``<link rel="next">``.

The one rule that keeps two articles from ever being merged: a page of the same article
has an address that is a *page-numbered variant* of the first page's address (the same
address with a page marker added or changed: ``_2``/``-2`` before the extension, a
``page``/``p``/``pg`` query parameter, a ``/2/`` or ``/page/2/`` path end). A WordPress
"next post" link (another slug), a ``rel="next"`` that names another article, a listing's
``list_2.html`` seen from an article, never qualify. Links inside a comment section
("page 2 of the comments", Drupal's ``?page=1``) are not the article's pager either.

Pure: a ``Page`` in, a ``Pagination`` (or None) out. The spider fetches what it says
(``spiders/news.py``); the pages are merged by ``crawler.parsing.merge``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from crawler.parsing.page import UNLINKED, Page, squash

#: query parameters that number an article's pages (``?p=959`` alone is a WordPress post id:
#: it names a page only beside the first page's address without it, see ``_interpretations``)
PAGE_PARAMS = frozenset({"page", "p", "pg", "paged", "pagina", "seite", "pn", "pageno", "page_no", "pagenum",
                         "curpage", "currentpage"})
MAX_PAGE_NUMBER = 999  # a larger number in the marker position is an id, not a page
# ``1001_2.html``, ``show-12-345-2.html``: a marker just before the extension (or at the end)
_SUFFIX_MARKER = re.compile(r"^(?P<stem>.*[^/_-])[_-](?P<n>\d{1,3})(?P<ext>\.[a-z]{2,6})?$", re.I)
# ``/story/2/``, ``/story/page/2``: a last path segment that is only a page number
_SEGMENT_MARKER = re.compile(r"^(?P<stem>/.*?[^/])/(?:page/)?(?P<n>\d{1,3})/?$", re.I)
# link texts of a pager: next / previous / first / last page, in the languages met most
_NEXT_WORDS = frozenset({
    "下一页", "下页", "下一頁", "下頁", "后页", "後頁", "next", "next page", "next »", "next ›", "next >",
    "»", "›", ">",
    "nächste", "nächste seite", "weiter", "suivant", "page suivante", "siguiente", "página siguiente",
    "successiva", "pagina successiva", "volgende", "次へ", "次のページ", "다음", "다음 페이지", "следующая"})
_OTHER_PAGER_WORDS = frozenset({
    "上一页", "上页", "上一頁", "上頁", "前页", "前頁", "尾页", "末页", "末頁", "previous", "prev", "previous page",
    "« previous", "‹ previous", "«", "‹", "<", "first", "last", "zurück", "vorherige", "vorherige seite",
    "précédent", "page précédente", "anterior", "página anterior", "前へ", "이전", "предыдущая"})
# pager words that also name other things (首页 is "first page" in a pager, "home" in a menu):
# read as part of a pager line, never as a link back to the first page
_PAGER_ONLY_WORDS = frozenset({"首页", "首頁", "末页", "尾頁"})
# "第2页", "Page 2", "Seite 2", "2/3": a link that names a page number
_NUMBER_TEXT = re.compile(r"^(?:第\s*(\d{1,3})\s*[页頁]|(?:page|seite|página|pagina|p\.)\s*(\d{1,3})|\[?(\d{1,3})\]?"
                          r"|(\d{1,3})\s*/\s*\d{1,3})$", re.I)
# A link to the whole article on one page (fetched instead of walking the pages)
_SINGLE_PAGE_TEXT = re.compile(
    r"^(?:全文|阅读全文|閱讀全文|显示全文|顯示全文|全文阅读|全文閱讀|查看全文|单页阅读|單頁閱讀|单页浏览|單頁瀏覽|"
    r"在本页阅读全文|本页阅读全文|不分页|不分頁|(?:view|read|show|see)(?: (?:as|on|article on))?(?: a)? single page|"
    r"single[- ]page(?: view)?|(?:view|show|read) all(?: pages)?|all on one page|(?:view|read) (?:the )?full article|"
    r"auf einer seite(?: lesen| anzeigen)?|alles auf einer seite|artikel auf einer seite(?: lesen)?|"
    r"voir sur une (?:seule )?page|(?:ver|leer) en una (?:sola )?página|(?:leggi|vedi) su una pagina)\W*$", re.I)
# Boxes whose pagers are not the article's: comments ("page 2 of the comments") and replies
_NOT_THE_ARTICLE = re.compile(r"comment|reply|replies|respond|disqus|discussion|pinglun|评论|評論", re.I)
_PAGER_LINE = re.compile(
    r"^(?:(?:共\s*\d+\s*[页頁][:：]?|第\s*\d+\s*[页頁]|(?:page|seite) \d+ (?:of|von) \d+[:：]?|[\[\]\d\s.…|/«»‹›<>-]|"
    + "|".join(re.escape(w) for w in sorted(_NEXT_WORDS | _OTHER_PAGER_WORDS | _PAGER_ONLY_WORDS, key=len,
                                            reverse=True) if len(w) > 1)
    + r")\s*)+$", re.I)


@dataclass(frozen=True, slots=True)
class Pagination:
    """What a page says about being one page of a longer article.

    ``number``: this page's number (1 on the first page); ``first_url``: the article's first
    page (this page's own URL on page 1); ``pages``: the other pages of the article the page
    links to, as (number, url) in page order (page 1 not included); ``single_page_url``: a
    link to the whole article on one page, when the page offers one."""

    number: int
    first_url: str
    pages: tuple[tuple[int, str], ...] = ()
    single_page_url: str | None = None

    @property
    def last_number(self) -> int:
        """The highest page number seen (the pager of a long article may show a window only)."""
        return max([self.number, *(n for n, _ in self.pages)])

    @property
    def is_continuation(self) -> bool:
        return self.number > 1


def _key(host: str, path: str, query: list[tuple[str, str]]) -> tuple[str, str, str]:
    return host, path.rstrip("/") or "/", urlencode(sorted(query))


def _interpretations(url: str) -> list[tuple[tuple[str, str, str], int]]:
    """Every reading of ``url`` as (the article's key, page number). Every URL can be page 1
    of itself; a page marker also reads it as page N of the address without the marker."""
    parts = urlsplit(url.split("#", 1)[0])
    host = (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    readings = [(_key(host, parts.path, query), 1)]
    for name, value in query:
        if name.lower() in PAGE_PARAMS and value.isdigit() and 1 <= int(value) <= MAX_PAGE_NUMBER:
            rest = [(k, v) for k, v in query if k != name]
            readings.append((_key(host, parts.path, rest), int(value)))
    last = parts.path.rsplit("/", 1)
    if len(last) == 2 and (match := _SUFFIX_MARKER.match(last[1])):
        path = f"{last[0]}/{match['stem']}{match['ext'] or ''}"
        readings.append((_key(host, path, query), int(match["n"])))
    if match := _SEGMENT_MARKER.match(parts.path):
        readings.append((_key(host, match["stem"], query), int(match["n"])))
    return [(key, n) for key, n in readings if n <= MAX_PAGE_NUMBER]


def page_number(first_url: str, url: str) -> int | None:
    """The page number of ``url`` in the article whose first page is ``first_url``, or None
    when ``url`` is no page-numbered variant of it (another article, a listing, a next post)."""
    firsts = {key for key, n in _interpretations(first_url) if n == 1}
    numbers = [n for key, n in _interpretations(url)[1:] if key in firsts and n >= 2]
    return min(numbers) if numbers else None


def _first_pages(url: str) -> list[tuple[tuple[str, str, str], int]]:
    """The readings of ``url`` as page N >= 2 of some article."""
    return [(key, n) for key, n in _interpretations(url)[1:] if n >= 2]


def _in_other_box(element: object) -> bool:
    """Whether a link sits in a comment or reply box (its pager pages the comments)."""
    node = element
    while node is not None:
        get = getattr(node, "get", None)
        if get is not None and _NOT_THE_ARTICLE.search(f"{get('class') or ''} {get('id') or ''}"):
            return True
        node = node.getparent()  # type: ignore[attr-defined]
    return False


def _pager_text(text: str, rel: str) -> str | None:
    """What kind of pager link a link text (or its rel) makes: "next", "number", "other" or None."""
    low = text.lower()
    if "next" in rel.split() or low in _NEXT_WORDS:
        return "next"
    if "prev" in rel.split() or "first" in rel.split() or low in _OTHER_PAGER_WORDS:
        return "other"
    return "number" if _NUMBER_TEXT.match(low) else None


def _links(page: Page) -> list[tuple[str, str, str]]:
    """(absolute URL, link text, rel) of the head's rel=next/prev/canonical links and the
    body's pager-like links outside comment boxes."""
    found: list[tuple[str, str, str]] = []
    for el in page.tree.iter("link"):
        rel = (el.get("rel") or "").lower()
        if rel in ("next", "prev", "previous", "first", "canonical") and (url := page.absolute(el.get("href"))):
            found.append((url, "", "prev" if rel == "previous" else rel))
    stem = _stem(page.url)
    for el in page.tree.iter("a"):  # (an iterator: 20 us a page where the XPath //a[@href] took 57)
        # the address test first, then the text, then the urljoin: a page has a hundred links
        # or more and nearly none is a pager's (reading every link's text cost ~10% of a parse)
        href = el.get("href")
        if not href or not _may_be_a_page_of(href, stem):
            continue
        if not (stripped := href.strip()) or stripped.startswith(UNLINKED):
            continue  # page.absolute makes no URL of it (a "#" link, "javascript:"), whatever its text
        text = squash("".join(el.itertext()))
        rel = (el.get("rel") or "").lower()
        if len(text) > 40 or not (_pager_text(text, rel) or _SINGLE_PAGE_TEXT.match(text)):
            continue
        url = page.absolute(href)
        if url and url.startswith(("http://", "https://")) and not _in_other_box(el):
            found.append((url, text, rel))
    return found


def _stem(url: str) -> str:
    """The name every page of the article at ``url`` shares in its address: the last path
    segment without extension or page marker (``1001`` of ``1001_2.html``, ``slug`` of
    ``/slug/2/``), unquoted; "" for a site root."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    while segments:
        last = segments.pop()
        last = re.sub(r"\.[a-z0-9]{2,6}$", "", last, flags=re.I)
        last = re.sub(r"[_-]\d{1,3}$", "", last)
        if last and not (last.isdigit() and len(last) <= 3) and last.lower() != "page":
            return last
    return ""


def _may_be_a_page_of(href: str, stem: str) -> bool:
    """Whether ``href`` can point at a page of the article named ``stem`` (see ``_stem``): it
    names the stem, or it is relative to this page (``?page=2``, ``2/``, ``../``). Every
    page-numbered variant, link back to page 1 and single-page link passes; the test only
    spares reading the text of links that cannot be one."""
    if not stem or not href.startswith(("/", "http:", "https:", "HTTP")):
        return True
    return stem in (unquote(href) if "%" in href else href)


def _same_page(a: str, b: str) -> bool:
    return _interpretations(a)[0][0] == _interpretations(b)[0][0]


def detect_pagination(page: Page) -> Pagination | None:
    """Whether ``page`` is one page of an article split over several, and where the others
    are. None for a page with no pager of its own article (most pages)."""
    url = page.url
    if not url.startswith(("http://", "https://")):
        return None
    links = _links(page)
    if not links:
        return None
    first_url, number = url, 1
    # a continuation: its address is page N of a shorter one, and it links back to that one
    for key, n in _first_pages(url):
        back = next((link for link, text, rel in links
                     if rel in ("prev", "first", "canonical") or _pager_text(text, rel) in ("other", "number")
                     if not _same_page(link, url) and (key, 1) in _interpretations(link)), None)
        if back is not None:
            first_url, number = back, n
            break
    pages: dict[int, str] = {}
    single: str | None = None
    for link, text, rel in links:
        if rel == "canonical":
            continue
        if text and _SINGLE_PAGE_TEXT.match(text):
            if not _same_page(link, url) and _related(first_url, link):
                single = single or link
            continue
        found = page_number(first_url, link)
        if found is not None and found != number and (rel == "next" or _pager_text(text, rel) != "number"
                                                      or _numbered(text) == found):
            pages.setdefault(found, link)
    if number == 1 and not pages:
        return None
    return Pagination(number, first_url, tuple(sorted(pages.items())), single if pages or number > 1 else None)


def _numbered(text: str) -> int | None:
    match = _NUMBER_TEXT.match(text.lower())
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def _related(first_url: str, link: str) -> bool:
    """A single-page link belongs to this article: same host, and the same path with another
    query (``?page=all``) or a path that starts with the first page's (``1001_all.html``,
    ``/story/all/``)."""
    a, b = urlsplit(first_url), urlsplit(link)
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    stem = re.sub(r"\.[a-z]{2,6}$", "", a.path, flags=re.I).rstrip("/")
    return b.path == a.path or (len(stem) > 1 and b.path.startswith(stem))


def is_pager_line(text: str) -> bool:
    """A body block that is only a pager ("上一页 1 2 3 下一页", "« Previous 1 2 Next »",
    "共3页: 上一页 1 2 3 下一页"): it is dropped when pages are merged. A bare number is
    not taken for one (a figure on a line of its own)."""
    stripped = text.strip()
    if not stripped or stripped.isdigit() or len(stripped) > 120:
        return False
    return bool(_PAGER_LINE.match(stripped)) and not re.fullmatch(r"[\d\s.,/-]+", stripped)


def _pager_token(text: str) -> str | None:
    """"word" for a pager link's text (下一页, Next, «), "number" for a page number, else None."""
    low = text.strip().lower()
    if low in _NEXT_WORDS or low in _OTHER_PAGER_WORDS or low in _PAGER_ONLY_WORDS or low in ("…", "...", "|"):
        return "word"
    return "number" if _NUMBER_TEXT.match(low) else None


def pager_blocks(blocks: list[str]) -> set[int]:
    """The positions of the body blocks that are the pager: a block that is a whole pager
    line (``is_pager_line``), or a run of short blocks the extractor split it into (one per
    link: "上一页", "1", "2", "3", "下一页") holding a pager word or two page numbers. A lone
    number is a figure, not a pager."""
    found: set[int] = set()
    run: list[int] = []

    def close() -> None:
        tokens = [_pager_token(blocks[i]) for i in run]
        if len(run) >= 2 and ("word" in tokens or tokens.count("number") >= 2):
            found.update(run)
        run.clear()

    for i, block in enumerate(blocks):
        if is_pager_line(block):
            found.add(i)
            run.append(i)
        elif _pager_token(block):
            run.append(i)
        else:
            close()
    close()
    return found


__all__ = ["Pagination", "detect_pagination", "is_pager_line", "page_number", "pager_blocks"]
