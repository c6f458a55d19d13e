"""A scriptable HTTP server on 127.0.0.1 for crawl tests: routes are set per test, every
request is logged (path, time, headers), ETag/If-None-Match gives 304s, and a route may
be slow or answer with any status. Bounded: it serves until the test stops it."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    drip: float = 0.0  # slow-loris: headers, then one byte every `drip` seconds for 60 s
    truncate: bool = False  # announce the full Content-Length, send half, close


class LocalSite:
    """``with LocalSite() as site: site.route("/a", "<html>..."); site.url("/a")``"""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, float, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                key = self.path if self.path in site.routes else urlsplit(self.path).path
                with site._lock:
                    site.log.append((self.path, time.monotonic(), dict(self.headers)))
                route = site.routes.get(key)
                if route is None:
                    self._send(404, b"not found", "text/plain", {})
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.drip or route.truncate:
                    self._misbehave(route)
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                    if self.headers.get("If-None-Match") == route.etag:
                        self._send(304, b"", route.content_type, headers)
                        return
                self._send(route.status, route.body, route.content_type, headers)

            def _misbehave(self, route: Route) -> None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    if route.truncate:
                        self.wfile.write(route.body[: len(route.body) // 2])
                        self.wfile.flush()
                    else:
                        deadline = time.monotonic() + 60
                        for byte in route.body:
                            if time.monotonic() > deadline:
                                break
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route.drip)
                except OSError:
                    pass
                self.close_connection = True

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, body: str | bytes, **kwargs: object) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data.replace(b"__BASE__", self.base.encode()), **kwargs)  # type: ignore[arg-type]

    def gzip_route(self, path: str, body: str) -> None:
        self.route(path, gzip.compress(body.replace("__BASE__", self.base).encode()),
                   content_type="application/x-gzip")

    def hits(self) -> Counter[str]:
        with self._lock:
            return Counter(path for path, _, _ in self.log)

    def clear(self) -> None:
        with self._lock:
            self.log.clear()

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


PARAGRAPHS = [
    "The city council met on Tuesday evening to discuss the budget for the coming year, including money for parks.",
    "Members of the public spoke for more than an hour about bus routes, library hours and the repair of old bridges.",
    "The mayor said the final vote would take place next month after a second public hearing in the town hall.",
    "Local businesses asked for faster permits, while residents asked for more street lights near the river path.",
]


def article(n: int, title: str | None = None, date: str = "2024-05-01T09:00:00+00:00", extra: str = "") -> str:
    """A small but complete English news article page."""
    title = title or f"Council story number {n} about the city budget"
    paras = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    return (f'<html lang="en"><head><title>{title} | Test Times</title><meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{date}"></head><body><header><a href="/">Home</a>'
            f'</header><article><h1>{title}</h1><p class="byline">By Ann Writer</p>{paras}{extra}</article>'
            f"</body></html>")


def listing(links: list[str], next_page: str | None = None) -> str:
    items = "".join(f'<li><a href="{href}">Read story at {href}</a></li>' for href in links)
    nxt = f'<a class="next" href="{next_page}">Next page</a>' if next_page else ""
    return f"<html><head><title>Latest news</title></head><body><ul>{items}</ul>{nxt}</body></html>"
