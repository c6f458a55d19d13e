"""A profile's ``[fetch]`` table (user agent, headers, cookies, basic auth, proxy), through
real crawls: the local servers record what every request carried, a tiny local HTTP proxy
counts what it forwards, and a second site crawled in the same process gets none of it."""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from crawler.profiles import ProfileError, load_profile_file
from storage.db import connect
from storage.models import Article
from tests.crawl.test_multisite import ARTICLES, run_measured, serve_site, write_profile
from tests.helpers.localserver import LocalSite

FETCH = '''
[fetch]
user_agent = "FleetTestBot/2.0 (+https://example.org/bot)"
headers = { "X-Api-Key" = "k-123", "Accept-Language" = "zh-CN" }
cookies = { consent = "yes", region = "north" }
basic_auth = { user = "reader", password = "s3cret" }
'''


class CountingProxy:
    """An HTTP forward proxy on 127.0.0.1 that counts the requests it forwards (by target URL)."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                target = urlsplit(self.path)  # a proxy is asked for the absolute URL
                proxy.forwarded.append(self.path)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("proxy-connection", "connection", "keep-alive", "host")}
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                conn.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
                answer = conn.getresponse()
                body = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[CountingProxy]:
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(timeout=5)


def _sent(site: LocalSite, name: str) -> list[str | None]:
    return [{k.lower(): v for k, v in headers.items()}.get(name.lower()) for _, _, headers in site.log]


@pytest.mark.server
@pytest.mark.process
@pytest.mark.e2e
@pytest.mark.parametrize("preset", ["polite", "fast"])  # cookies through Scrapy's jar, and with cookies off
def test_fetch_options_reach_their_site_only(tmp_path: Path, preset: str) -> None:
    db = f"sqlite:///{tmp_path / 'news.db'}"
    with ExitStack() as stack:
        mine, other = serve_site(stack, 1), serve_site(stack, 2)
        proxy = stack.enter_context(CountingProxy().running())
        profiles = [write_profile(tmp_path, "mine", mine.url("/"), 0.0, extra=FETCH + f'proxy = "{proxy.url}"\n'),
                    write_profile(tmp_path, "other", other.url("/"), 0.0)]
        code, err, _, _ = run_measured(["crawl", *map(str, profiles), "--db", db, "--preset", preset,
                                        "-s", "NEWSCRAWL_PARSE_WORKERS=0"])
        assert code == 0, err[-3000:]
        with connect(db).connect() as conn:
            per_site = dict(conn.execute(select(Article.site, func.count()).group_by(Article.site)).all())
        assert per_site == {"mine": ARTICLES, "other": ARTICLES}
        auth = "Basic " + base64.b64encode(b"reader:s3cret").decode()
        requests = len(mine.log)
        assert requests >= ARTICLES + 2  # robots.txt, the home page, the articles: every one with the options
        assert _sent(mine, "User-Agent") == ["FleetTestBot/2.0 (+https://example.org/bot)"] * requests
        assert _sent(mine, "X-Api-Key") == ["k-123"] * requests
        assert _sent(mine, "Accept-Language") == ["zh-CN"] * requests
        assert _sent(mine, "Authorization") == [auth] * requests
        assert all(c and set(c.split("; ")) == {"consent=yes", "region=north"} for c in _sent(mine, "Cookie"))
        # every request of that site went through its proxy, none of the other site's
        assert len(proxy.forwarded) == requests
        assert all(url.startswith(mine.base) for url in proxy.forwarded)
        # the other site, crawled by the same process, got none of it
        assert all("FleetTestBot" not in (ua or "") for ua in _sent(other, "User-Agent"))
        for name in ("X-Api-Key", "Authorization", "Cookie"):
            assert set(_sent(other, name)) == {None}, name


@pytest.mark.parametrize(("table", "key", "reason"), [
    ('[fetch]\nagent = "x"\n', "fetch.agent", "unknown key"),
    ('[fetch]\nproxy = "socks5://127.0.0.1:1080"\n', "fetch.proxy", "is not an http(s)://host:port URL"),
    ('[fetch]\nbasic_auth = { user = "u" }\n', "fetch.basic_auth", "user and password"),
    ('[fetch]\nheaders = { "X-N" = 1 }\n', "fetch.headers", "table of strings"),
    ('[fetch]\nheaders = { "Bad Name" = "v" }\n', "fetch.headers", "not a header name"),
    ('[fetch]\nuser_agent = ""\n', "fetch.user_agent", "one-line string"),
    ('[fetch]\ncookies = { a = "x\\ny" }\n', "fetch.cookies", "one line"),
])
def test_fetch_table_is_validated(tmp_path: Path, table: str, key: str, reason: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'name = "p"\nstart_urls = ["https://a.example/"]\n{table}', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    assert info.value.key == key and reason in info.value.reason


def test_fetch_table_loads(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'name = "p"\nstart_urls = ["https://a.example/"]\n{FETCH}proxy = "http://127.0.0.1:3128"\n',
                    encoding="utf-8")
    fetch = load_profile_file(path).fetch
    assert fetch.basic_auth == ("reader", "s3cret") and fetch.cookies == {"consent": "yes", "region": "north"}
    assert fetch.proxy == "http://127.0.0.1:3128" and fetch.headers["X-Api-Key"] == "k-123"
