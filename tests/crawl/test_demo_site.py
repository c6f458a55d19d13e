"""The bundled demo news site is served correctly and agrees with its manifest.

End-to-end crawl tests and ``newscrawl demo`` trust ``crawler/demo/manifest.json``
as ground truth, so these tests check the site against it over real HTTP: every
article answers, the sitemap and feed carry real absolute URLs, the server does
not leak files outside its root, and every article is reachable from ``/``
through links (a crawler starting at the home page can find them all).
Everything is bounded: socket timeouts, a page cap on the link walk, and a
per-test timeout.
"""

from __future__ import annotations

import http.client
import socket
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
from lxml import html as lxml_html

from crawler.demo import BASE_URL_TOKEN, SITE_ROOT, load_manifest
from crawler.demo.server import DemoServer
from tests.conftest import FIXTURES
from tests.helpers.localserver import demo_site

TIMEOUT = 5.0
MAX_PAGES = 400
STATIC_SUFFIXES = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico")

pytestmark = [pytest.mark.timeout(60), pytest.mark.server]


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with demo_site() as srv:
        yield srv


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest()


def fetch(url: str) -> tuple[int, str, bytes]:
    """GET a URL: (status, content type, body); HTTP errors are returned, not raised."""
    try:
        with urlopen(url, timeout=TIMEOUT) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def raw_get(server: DemoServer, target: str) -> int:
    """Send a request line verbatim (urllib would normalise ``..`` away) and return the status."""
    host, port = urlsplit(server.base_url).hostname, urlsplit(server.base_url).port
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        resp.read()
        return resp.status


def test_manifest_shape(manifest: dict[str, Any]) -> None:
    articles = manifest["articles"]
    paths = [a["path"] for a in articles]
    assert len(paths) == len(set(paths))
    originals = Counter(a["style"] for a in articles if a["duplicate_of"] is None)
    assert len(originals) >= 3
    assert all(n >= 10 for n in originals.values()), originals
    assert sum(originals.values()) >= 30
    dups = [a for a in articles if a["duplicate_of"]]
    assert dups and all(d["duplicate_of"] in paths for d in dups)
    assert "/post/1987.html" in paths
    for a in articles:
        assert a["published_at"][-6] in "+-" and a["published_at"][-3] == ":", a
        assert a["title"] and a["title"] in a["title_raw"]
    assert manifest["not_articles"] and not set(manifest["not_articles"]) & set(paths)


def test_seed_page_is_verbatim() -> None:
    # the repository's copy, itself compared byte for byte with ../shared's (test_seed_article.py)
    seed = FIXTURES / "seed-article" / "page.html"
    assert (SITE_ROOT / "post" / "1987.html").read_bytes() == seed.read_bytes()


def test_every_article_is_served_as_html(server: DemoServer, manifest: dict[str, Any]) -> None:
    for article in manifest["articles"]:
        status, ctype, body = fetch(server.base_url + article["path"])
        assert status == 200, article["path"]
        assert ctype.startswith("text/html") and "charset=utf-8" in ctype, (article["path"], ctype)
        text = body.decode("utf-8")
        assert BASE_URL_TOKEN not in text
    for path in manifest["not_articles"]:
        assert fetch(server.base_url + path)[0] == 200


def test_sitemap_lists_every_article_with_real_urls(server: DemoServer, manifest: dict[str, Any]) -> None:
    status, ctype, body = fetch(server.base_url + "/sitemap.xml")
    assert status == 200 and "xml" in ctype and "charset=utf-8" in ctype
    assert BASE_URL_TOKEN.encode() not in body
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(body)
    urls = root.findall("sm:url", ns)
    locs = {u.findtext("sm:loc", namespaces=ns) for u in urls}
    assert all(u.findtext("sm:lastmod", namespaces=ns) for u in urls)
    for article in manifest["articles"]:
        if article["duplicate_of"] is None:
            assert server.base_url + article["path"] in locs, article["path"]


def test_rss_feed_parses_with_items(server: DemoServer, manifest: dict[str, Any]) -> None:
    status, _, body = fetch(server.base_url + "/rss.xml")
    assert status == 200
    assert BASE_URL_TOKEN.encode() not in body
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) >= 10
    known = {server.base_url + a["path"] for a in manifest["articles"]}
    for item in items:
        assert item.findtext("pubDate")
        assert item.findtext("link") in known


def test_robots_txt_allows_all_and_names_sitemap(server: DemoServer) -> None:
    status, ctype, body = fetch(server.base_url + "/robots.txt")
    text = body.decode("utf-8")
    assert status == 200 and ctype.startswith("text/plain")
    assert "Disallow: /\n" not in text
    assert f"Sitemap: {server.base_url}/sitemap.xml" in text


def test_missing_and_directory_paths(server: DemoServer) -> None:
    assert fetch(server.base_url + "/no-such-page.html")[0] == 404
    status, ctype, _ = fetch(server.base_url + "/")
    assert status == 200 and ctype.startswith("text/html")
    status, _, _ = fetch(server.base_url + "/news")  # redirected to /news/
    assert status == 200


@pytest.mark.parametrize(
    "target",
    [
        "/../../../../etc/passwd",
        "/post/../../server.py",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fserver.py",
        "/post/..%5c..%5cserver.py",
        "//etc/passwd",
        "/%00.html",
    ],
)
def test_path_traversal_is_refused(server: DemoServer, target: str) -> None:
    assert raw_get(server, target) in (400, 404)


def test_every_article_reachable_from_home(server: DemoServer, manifest: dict[str, Any]) -> None:
    base = server.base_url
    host = urlsplit(base).netloc
    wanted = {a["path"] for a in manifest["articles"]}
    seen: set[str] = {"/"}
    queue: deque[str] = deque(["/"])
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path = queue.popleft()
        status, ctype, body = fetch(base + path)
        fetched += 1
        if status != 200 or not ctype.startswith("text/html"):
            continue
        doc = lxml_html.fromstring(body, base_url=base + path)
        for href in doc.xpath("//a/@href"):
            url = urldefrag(urljoin(base + path, href.strip()))[0]
            parts = urlsplit(url)
            if parts.scheme != "http" or parts.netloc != host or parts.path.endswith(STATIC_SUFFIXES):
                continue
            if parts.path not in seen:
                seen.add(parts.path)
                queue.append(parts.path)
    missing = wanted - seen
    assert not missing, f"not reachable from /: {sorted(missing)}"
    # Every article-looking page the walk reached is in the manifest (nothing unaccounted for).
    article_like = {p for p in seen if p.startswith("/post/") or p.endswith(".shtml") or p.count("/") == 5}
    assert article_like <= wanted, sorted(article_like - wanted)


def test_the_committed_site_is_what_the_generator_writes() -> None:
    """The demo site is generated (``tools/demo_site``) and committed: an edit by hand, or a
    generator change not run, would make the two disagree."""
    from tools.demo_site.build import MANIFEST, SEED_PATH, build

    files = build()
    assert files.pop("__manifest__") == MANIFEST.read_text(encoding="utf-8")
    committed = {p.relative_to(SITE_ROOT).as_posix() for p in SITE_ROOT.rglob("*") if p.is_file()}
    assert committed == set(files) | {SEED_PATH.lstrip("/")}
    for rel, text in files.items():
        assert (SITE_ROOT / rel).read_text(encoding="utf-8") == text, rel
