"""Script-built sites and a profile's ``render = "browser"`` (``crawler.render``), through real
crawls with real headless Chromium of sites on 127.0.0.1.

The script site's static HTML holds only "Loading…": its listing and first article are
built from inline JSON, its second article from a ``fetch()`` of a JSON endpoint after load,
and two pages never settle (one's clock ticks forever, the other's data request is never
answered in time). Every one of its pages, and every page of a plain site crawled beside it,
carries a beacon script (``fetch('/beacon')``): the beacon reaches a server only from a page
some browser ran, so the plain site's server proves the browser never saw its pages. Fails,
not skips, in CI when Chromium or Playwright is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import connect
from storage.models import Article, UrlState
from tests.conftest import IN_CI
from tests.crawl.test_multisite import run_measured, serve_site
from tests.helpers.localserver import LocalSite

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
MISSING = ("Chromium (apt-get install chromium)" if CHROMIUM is None else
           "the playwright package (pip install -e '.[dev]')" if importlib.util.find_spec("playwright") is None
           else None)
if MISSING is not None:
    if IN_CI:
        pytest.fail(f"{MISSING} is required in CI (.ci/run installs both)", pytrace=False)
    pytest.skip(f"{MISSING} not installed", allow_module_level=True)

pytestmark = [pytest.mark.server, pytest.mark.process, pytest.mark.e2e]

BEACON = "<script>fetch('/beacon?from=' + encodeURIComponent(location.pathname));</script>"
LOADING = "Loading\u2026"
PARAGRAPHS = [
    "The harbour board met on Monday to approve the dredging of the northern channel before the spring tides.",
    "Fishermen asked for the works to pause at night, and the board agreed to a quiet period after ten o'clock.",
    "The contractor expects the first phase to take six weeks, weather allowing, with barges working in pairs.",
    "A public meeting on the second phase, which reaches the old ferry slip, is planned for early summer.",
]
STORIES = {
    1: ("Harbour dredging approved for the northern channel", "2026-03-04T08:00:00+00:00"),
    2: ("Ferry slip repairs wait for the second phase", "2026-03-05T17:30:00+00:00"),
}
FILL = """<script>
function show(d) {
  document.title = d.title + ' | Script Harbour News';
  document.getElementById('app').innerHTML = '<article><h1>' + d.title + '</h1><p class="byline">By Ann Writer</p>'
    + '<time datetime="' + d.date + '">' + d.date.slice(0, 10) + '</time>'
    + d.body.map(function (p) { return '<p>' + p + '</p>'; }).join('') + '</article>';
}
</script>"""


def _story(n: int) -> dict[str, object]:
    title, date = STORIES[n]
    return {"title": title, "date": date, "body": [f"{p} (Report {n}.)" for p in PARAGRAPHS]}


def _shell(script: str) -> str:
    """A page whose static HTML says only Loading…, built by ``script``."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{LOADING}</title>'
            f'<meta property="og:type" content="article"></head><body><header><a href="/">Home</a></header>'
            f'<main id="app"><p>{LOADING}</p></main>{FILL}{script}{BEACON}</body></html>')


def serve_script_site(stack: ExitStack, api_delay: float = 0.0) -> LocalSite:
    site = stack.enter_context(LocalSite())
    links = ["/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html"]
    site.route("/", _shell(
        f'<script type="application/json" id="links">{json.dumps(links)}</script><script>'
        "var links = JSON.parse(document.getElementById('links').textContent);"
        "document.getElementById('app').innerHTML = '<ul>' + links.map(function (h) {"
        "  return '<li><a href=\"' + h + '\">Read the story at ' + h + '</a></li>'; }).join('') + '</ul>';"
        "</script>"))
    # 1: from inline JSON, at once
    site.route("/news/1.html", _shell(f'<script type="application/json" id="data">{json.dumps(_story(1))}</script>'
                                      "<script>show(JSON.parse(document.getElementById('data').textContent));</script>"))
    # 2: from a JSON endpoint fetched after the load event
    site.route("/news/2.html", _shell("<script>window.addEventListener('load', function () {"
                                      "fetch('/api/2.json').then(function (r) { return r.json(); }).then(show); });"
                                      "</script>"))
    site.route("/api/2.json", json.dumps(_story(2)), content_type="application/json", delay=api_delay)
    # 3: never settles: a clock that ticks forever
    site.route("/news/3.html", _shell("<script>show({title: 'A page whose clock never stops', date: "
                                      "'2026-03-06T09:00:00+00:00', body: ['tick']});"
                                      "setInterval(function () { document.title = 'tick ' + Date.now(); }, 50);"
                                      "</script>"))
    # 4: never settles either: its data request is never answered in time
    site.route("/news/4.html", _shell("<script>fetch('/api/hang.json').then(function (r) { return r.json(); })"
                                      ".then(show);</script>"))
    site.route("/api/hang.json", "{}", content_type="application/json", delay=8.0)
    site.route("/beacon", "ok", content_type="text/plain")
    site.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    return site


def write_profile(folder: Path, name: str, start: str, render: bool, extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\nstart_urls = ["{start}"]\n' + ('render = "browser"\n' if render else "")
                    + "[rules]\narticle = ['/news/\\d+\\.html$']\n[politeness]\ndelay = 0\nconcurrency = 4\n" + extra,
                    encoding="utf-8")
    return path


def states(db: str) -> dict[str, tuple[str, str | None]]:
    with connect(db).connect() as conn:
        return {r.url: (r.state, r.reason) for r in conn.execute(select(UrlState.url, UrlState.state, UrlState.reason))}


def articles(db: str, site: str) -> dict[str, Article]:
    with connect(db).connect() as conn:
        return {r.url: r for r in conn.execute(select(Article).where(Article.site == site))}


def beacons(site: LocalSite) -> list[str]:
    return [path for path, _, _ in site.log if path.startswith("/beacon")]


@pytest.fixture
def two_sites(tmp_path: Path) -> Iterator[tuple[LocalSite, LocalSite]]:
    with ExitStack() as stack:
        script = serve_script_site(stack)
        plain = serve_site(stack, 1)
        for j in range(10):  # the plain site's pages carry the beacon too: it fires only if a browser runs them
            route = plain.routes[f"/news/{j}.html"]
            route.body = route.body.replace(b"</body>", BEACON.encode() + b"</body>")
        yield script, plain


def test_render_site_beside_a_plain_site(tmp_path: Path, two_sites: tuple[LocalSite, LocalSite]) -> None:
    script, plain = two_sites
    db = f"sqlite:///{tmp_path / 'news.db'}"
    profiles = [write_profile(tmp_path, "scripted", script.url("/"), render=True,
                              extra='[fetch]\nheaders = { "X-Api-Key" = "k-1" }\n'),
                write_profile(tmp_path, "plain", plain.url("/"), render=False)]
    code, err, seconds, _ = run_measured(["crawl", *map(str, profiles), "--db", db, "--preset", "fast",
                                          "-s", "NEWSCRAWL_RENDER_TIMEOUT=3", "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
    assert code == 0, err[-3000:]

    # the script site: its listing was rendered (the articles are linked only by script) and
    # both articles are stored with the title, date and text the scripts put in
    stored = articles(db, "scripted")
    assert sorted(stored) == [script.url("/news/1.html"), script.url("/news/2.html")], err[-3000:]
    for n, (title, date) in STORIES.items():
        record = stored[script.url(f"/news/{n}.html")]
        assert record.title == title
        assert record.published_at is not None and record.published_at.startswith(date[:16])
        assert PARAGRAPHS[0] in record.body_text and f"(Report {n}.)" in record.body_text
        assert LOADING not in record.body_text
    assert script.hits()["/api/2.json"] == 1  # fetched by the page's own script, in the browser
    api = next(h for path, _, h in script.log if path == "/api/2.json")
    assert api.get("X-Api-Key") == "k-1" and "HeadlessChrome" not in api.get("User-Agent", "")  # the site's own
    # each page fetched once (by Scrapy); the browser was handed those bytes
    assert all(script.hits()[p] == 1 for p in ("/", "/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html"))

    # the page that never settles ends failed with the reason, after the 3 s limit and not the default 20 s
    state, reason = states(db)[script.url("/news/3.html")]
    assert state == "failed" and "did not settle within 3 s" in (reason or "") and "kept changing" in (reason or "")
    state, reason = states(db)[script.url("/news/4.html")]
    assert state == "failed" and "did not settle within 3 s: 1 request(s) still open" in (reason or "")
    assert script.url("/api/hang.json") in (reason or "")
    assert seconds < 20 + 15, seconds

    # the plain site: stored as always, and no browser ever ran one of its pages
    assert len(articles(db, "plain")) == 10
    assert beacons(plain) == []
    assert sorted(beacons(script)) == sorted(f"/beacon?from=%2F{p}" for p in ("", "news%2F1.html", "news%2F2.html",
                                                                             "news%2F3.html", "news%2F4.html"))
    assert all("sec-fetch-mode" not in {k.lower() for k in h} for _, _, h in plain.log)  # no browser request at all
    assert "crawl [scripted] finished: " in err and " (3 rendered), " in err  # the listing and both articles
    plain_line = next(line for line in err.splitlines() if line.startswith("crawl [plain] finished"))
    assert "rendered" not in plain_line


def test_without_render_the_pages_are_rejected_and_crawl_url_renders(tmp_path: Path) -> None:
    with ExitStack() as stack:
        script = serve_script_site(stack)
        urls = [script.url("/news/1.html"), script.url("/news/2.html")]
        plain_db, render_db = f"sqlite:///{tmp_path / 'plain.db'}", f"sqlite:///{tmp_path / 'render.db'}"
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=False)
        code, err, _, _ = run_measured(["crawl", str(profile), "--url", urls[0], "--url", urls[1], "--db", plain_db,
                                        "--preset", "fast", "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        found = states(plain_db)
        for url in urls:
            state, reason = found[url]
            assert state == "rejected" and (reason or "").startswith("not an article"), (url, reason)
        assert articles(plain_db, "scripted") == {}
        assert beacons(script) == [] and script.hits()["/api/2.json"] == 0

        # the same page with the key, as `crawl PROFILE --url U`
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=True)
        code, err, _, _ = run_measured(["crawl", str(profile), "--url", urls[1], "--no-follow", "--db", render_db,
                                        "--preset", "fast", "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        stored = articles(render_db, "scripted")
        assert list(stored) == [urls[1]] and stored[urls[1]].title == STORIES[2][0]
        assert " (2 rendered), " in err  # the profile's start page (its links not followed) and the article


@pytest.mark.parametrize("limit", [1, 2])
def test_render_concurrency_is_bounded(tmp_path: Path, limit: int) -> None:
    """The JSON endpoint answers after 1 s: with one page at a time no two pages' requests for
    it overlap; with two, they do (server-side arrival times)."""
    with ExitStack() as stack:
        script = serve_script_site(stack, api_delay=1.0)
        for n in range(3, 7):  # four pages that wait on the slow endpoint (each its own URL: Chromium's
            # cache makes a second request for a URL in flight wait for the first)
            script.route(f"/news/{n}.html", script.routes["/news/2.html"].body.replace(b"/api/2.json",
                                                                                      f"/api/2.json?p={n}".encode()))
        urls = [script.url(f"/news/{n}.html") for n in range(3, 7)]
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=True)
        code, err, _, _ = run_measured(["crawl", str(profile), *[a for u in urls for a in ("--url", u)], "--no-follow",
                                        "--db", f"sqlite:///{tmp_path / 'news.db'}", "--preset", "fast",
                                        "-s", f"NEWSCRAWL_RENDER_CONCURRENCY={limit}",
                                        "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        stamps = sorted(t for path, t, _ in script.log if path.startswith("/api/2.json?p="))
        assert len(stamps) == 4
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        if limit == 1:
            assert min(gaps) >= 0.95, gaps  # the next page starts only after the last one settled
        else:
            assert min(gaps) < 0.5, gaps


def test_no_browser_is_one_line_before_anything_is_fetched(tmp_path: Path) -> None:
    with ExitStack() as stack:
        script = serve_script_site(stack)
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=True)
        started = time.monotonic()
        code, err, _, _ = run_measured(["crawl", str(profile), "--db", f"sqlite:///{tmp_path / 'news.db'}",
                                        "-s", "NEWSCRAWL_BROWSER=/nonexistent/chromium"])
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert "scripted" in lines[0] and "/nonexistent/chromium" in lines[0] and "apt-get install chromium" in lines[0]
        assert script.log == []  # nothing fetched
        assert time.monotonic() - started < 30


def test_a_browser_that_does_not_start_stops_the_crawl_before_fetching(tmp_path: Path) -> None:
    """An executable that is there but is no browser passes the command's check; the crawl
    then stops when the spider opens, not page by page."""
    with ExitStack() as stack:
        script = serve_script_site(stack)
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=True)
        code, err, seconds, _ = run_measured(["crawl", str(profile), "--db", f"sqlite:///{tmp_path / 'news.db'}",
                                              "-s", "NEWSCRAWL_BROWSER=/bin/false"], timeout=90)
        assert code == 1, err[-2000:]
        assert "cannot render this site's pages: could not start the browser /bin/false" in err
        assert "the crawl did not finish (browser_unavailable)" in err
        assert script.log == [] and seconds < 60


def test_a_rendered_page_larger_than_the_size_limit_fails(tmp_path: Path) -> None:
    """DOWNLOAD_MAXSIZE holds for the page the browser built, not only for the bytes fetched:
    a 2 kB page whose script writes 200 kB is failed with the reason, its small sibling stored."""
    with ExitStack() as stack:
        script = serve_script_site(stack)
        script.route("/news/9.html", _shell("<script>document.getElementById('app').innerHTML = "
                                            "'<p>' + 'flood '.repeat(40000) + '</p>';</script>"))
        urls = [script.url("/news/1.html"), script.url("/news/9.html")]
        db = f"sqlite:///{tmp_path / 'news.db'}"
        profile = write_profile(tmp_path, "scripted", script.url("/"), render=True)
        code, err, _, _ = run_measured(["crawl", str(profile), "--url", urls[0], "--url", urls[1], "--no-follow",
                                        "--db", db, "--preset", "fast", "-s", "DOWNLOAD_MAXSIZE=100000",
                                        "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        assert len(script.routes["/news/9.html"].body) < 100_000
        state, reason = states(db)[urls[1]]
        assert state == "failed" and "larger than DOWNLOAD_MAXSIZE" in (reason or ""), reason
        assert list(articles(db, "scripted")) == [urls[0]]
