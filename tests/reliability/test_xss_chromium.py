"""A republished record exported as HTML runs no script in a real browser.

Headless Chromium (Debian's ``chromium``, installed by .ci/run) loads exports made from
records full of XSS payloads: in the article body of a crawled page (through the parser),
in ``body_html`` set directly (as a site-profile selector or an old row could leave it),
and in the title, summary, authors and source line. Every payload that runs would change
``document.title`` and request ``/xss-hit/N`` from a local server, so execution is seen
from outside the page; ``--dump-dom`` gives the final DOM for a static check as well. A
positive control renders the same payloads unsanitised and must show them running, so a
broken harness cannot pass. Skips only outside CI when Chromium is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.parsing import parse_article
from crawler.parsing.clean import clean_record
from crawler.parsing.record import Source
from storage.db import connect
from storage.export import write_html
from storage.report import Selection
from storage.repository import Repository
from tests.conftest import IN_CI
from tests.helpers.localserver import LocalSite

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
if CHROMIUM is None:
    if IN_CI:
        pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)", pytrace=False)
    pytest.skip("Chromium not installed (apt-get install chromium)", allow_module_level=True)

pytestmark = [pytest.mark.server, pytest.mark.process]  # a beacon server, headless Chromium
TITLE = "newscrawl export"


def payloads(beacon: str) -> list[str]:
    """Each payload, if it runs, sets the title to XSS<n> and requests /xss-hit/<n>."""
    def js(n: int) -> str:
        return f"document.title='XSS{n}';new Image().src='{beacon}/xss-hit/{n}'"

    def q(n: int) -> str:
        return js(n).replace("'", "&#39;")

    return [
        f"<script>{js(0)}</script>",
        f'<img src="x{1}.png" onerror="{js(1)}">',
        f'<svg><g onload="{js(2)}"></g></svg><svg onload="{js(2)}"></svg>',
        f'<body onload="{js(3)}">',
        f'<iframe srcdoc="<script>parent.{q(4)}</script>"></iframe>',
        f'<iframe src="javascript:parent.{js(5)}"></iframe>',
        f'<details open ontoggle="{js(6)}"><summary>s</summary>d</details>',
        f'<video><source onerror="{js(7)}"></video>',
        "<math><mtext><table><mglyph><style>"
        f'<img src=x8.png onerror="{js(8)}"></style></mglyph></table></mtext></math>',
        f'<noscript><p title="</noscript><img src=x9.png onerror={js(9).replace(" ", "")}>"></noscript>',
        f'<a href="javascript:{js(10)}" id="link10">link</a>',
        f'<meta http-equiv="refresh" content="0;url=javascript:{js(11)}">',
        f"<style>@import url({beacon}/xss-hit/12);</style>",
        f'<link rel="stylesheet" href="{beacon}/xss-hit/13">',
        f'<form action="javascript:{js(14)}"><button formaction="javascript:{js(14)}">go</button></form>',
        f'<object data="data:text/html,<script>{js(15)}</script>"></object>',
        f'<embed src="data:text/html,<script>{js(16)}</script>">',
        f'<img src=x17.png oNeRrOr="&#x64;ocument.title=&#39;XSS17&#39;;'
        f'new Image().src=&#39;{beacon}/xss-hit/17&#39;">',
        f'<marquee onstart="{js(18)}">m</marquee>',
        f'<template><img src=x19.png onerror="{js(19)}"></template><div style="background:url({beacon}/xss-hit/19)">',
        f'"><script>{js(20)}</script><p x="',
        f'<input autofocus onfocus="{js(21)}">',
        '<img src="data:image/svg+xml,<svg xmlns=&quot;http://www.w3.org/2000/svg&quot; '
        f'onload=&quot;{js(22)}&quot;/>">',
        f'<base href="javascript:{js(23)}//"><a href="x">rel</a>',
    ]


def render(path: Path, profile_dir: Path) -> str:
    """The DOM after load (and 3 s of virtual time for timers and loads), as Chromium has it."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-dev-shm-usage", "--disable-extensions", f"--user-data-dir={profile_dir}",
         "--virtual-time-budget=3000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=90)
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def hits(site: LocalSite) -> set[str]:
    return {p for p in site.hits() if p.startswith("/xss-hit/")}


def farm_page(soup: str) -> bytes:
    """A content-farm repost whose article body carries the payloads."""
    line = "這是一段用於測試的正文內容，第{}段，講述了芯片產業的最新進展和市場的變化，以及廠商的應對。"
    paras = "".join(f"<p>{line.format(n)}</p>" for n in range(6))
    head = ('<meta charset="utf-8"><title>老虎機:芯片產業新進展</title><meta property="og:type" content="article">'
            '<meta property="og:title" content="芯片產業新進展">'
            '<meta property="article:published_time" content="2025-03-05T10:00:00+08:00">')
    return (f'<html lang="zh"><head>{head}</head><body><h1>老虎機:芯片產業新進展</h1><div class="post">{paras}'
            f'{soup}<p>最後一段正文，介紹了後續的發展計劃與時間表。</p></div></body></html>').encode()


@pytest.fixture(scope="module")
def browser_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="newscrawl-chromium-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_positive_control_the_harness_sees_script_run(browser_dir: Path) -> None:
    with LocalSite() as beacon:
        soup = "".join(payloads(beacon.base))
        page = browser_dir / "unsafe.html"
        page.write_text(f"<!DOCTYPE html><html><head><title>{TITLE}</title></head><body>{soup}</body></html>",
                        encoding="utf-8")
        dom = render(page, browser_dir / "profile-control")
        seen = hits(beacon)
    assert re.search(r"<title>XSS\d+</title>", dom), dom[:500]
    assert len(seen) >= 3, seen


def test_republished_records_exported_as_html_run_no_script(tmp_path: Path, browser_dir: Path) -> None:
    with LocalSite() as beacon:
        soup = "".join(payloads(beacon.base))
        db = f"sqlite:///{tmp_path / 'xss.db'}"
        repo = Repository(connect(db))
        crawled = parse_article(farm_page(soup), beacon.url("/repost/1.html"))
        parsed = clean_record(crawled, "simplified")
        hostile = replace(
            crawled, url=beacon.url("/repost/2.html"), canonical_url=beacon.url("/repost/2.html"),
            title=f'"><script>document.title="XSS98"</script>{crawled.title}',
            summary=payloads(beacon.base)[1], authors=[payloads(beacon.base)[0]],
            source=Source(name="<b onmouseover=alert(1)>x</b>", line=payloads(beacon.base)[3]),
            body_html=f"<p>前言</p>{soup}<p>结语</p>", content_hash=None)
        assert repo.store_batch([parsed, clean_record(hostile, "keep")]) == ["new", "duplicate"]
        # The raw body_html is also forced into the database, as an older row could have it.
        from sqlalchemy import update

        from storage.models import Article

        with repo.engine.begin() as conn:
            conn.execute(update(Article).where(Article.canonical_url == hostile.canonical_url)
                         .values(body_html=hostile.body_html))
        exported = tmp_path / "export.html"
        result = CliRunner().invoke(main, ["export", "--format", "html", "--include-duplicates", "--db", db,
                                           "--out", str(exported)])
        assert result.exit_code == 0, result.output
        bare = tmp_path / "bare.html"  # what a republisher pasting the fragments gets: no CSP
        with bare.open("w", encoding="utf-8") as handle:
            assert write_html(repo.iter_records(Selection(duplicates="include")), handle, csp=False) == 2
        doms = [render(exported, browser_dir / "profile-export"), render(bare, browser_dir / "profile-bare")]
        seen = hits(beacon)
    assert seen == set(), seen
    for dom in doms:
        tree = lxml.html.fromstring(dom)
        assert tree.findtext(".//title") == TITLE
        body = tree.find("body")
        assert body.xpath(".//script | .//iframe | .//object | .//embed | .//style | .//link | .//meta | .//base"
                          " | .//form | .//svg | .//math | .//template") == []
        for el in body.iter():
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), (el.tag, name, value)
                assert name.lower() not in ("style", "srcdoc", "srcset", "formaction"), (el.tag, name)
                if name.lower() in ("href", "src", "action", "data"):
                    assert re.match(r"(https?:|mailto:)", value.strip(), re.I), (el.tag, name, value)
        text = body.text_content()
        assert "芯片产业" in text and "结语" in text  # the article itself survives
