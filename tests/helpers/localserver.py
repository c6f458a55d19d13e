"""The one local HTTP server helper for tests: every test that needs a server on 127.0.0.1 gets
it here, in one of three forms, each serving from a daemon thread until its ``with`` block ends.

* ``LocalSite()``: scriptable routes (a dict of path -> body, or ``site.route(...)`` per test);
  every request is logged (path, time, headers), ETag/If-None-Match gives 304s, and a route
  may be slow (``delay``), answer with any status, drip its body (slow-loris) or cut it short
  (``truncate``): the faults the reliability and hostile-server tests need.
* ``demo_site(root=None)``: a directory of files, served by the product's own demo server
  (``crawler.demo.server.DemoServer``: ``__BASE_URL__`` substitution, robots.txt, hit counts).
* ``free_port()`` and ``wait_until_serving()``: for servers the product starts in a process of
  its own (``newscrawl browse``'s Datasette, Scrapyd), which pick their port from the test.

Bounded: the servers bind port 0 (a free port), stop joins their thread for at most 5 s, and
``wait_until_serving`` gives up at its deadline or when the serving process exits."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import subprocess

    from crawler.demo.server import DemoServer


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

    def __init__(self, host: str = "127.0.0.1", routes: dict[str, str | bytes] | None = None) -> None:
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
        for path, body in (routes or {}).items():
            self.route(path, body)

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


def demo_site(root: Path | None = None, host: str = "127.0.0.1") -> DemoServer:
    """The bundled demo news site (or the files under ``root``) served by the product's own demo
    server; use as ``with demo_site() as server: server.base_url, server.hits``."""
    from crawler.demo.server import DemoServer

    return DemoServer(root=root, host=host)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a server started in another process."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until_serving(probe: Callable[[], object], proc: subprocess.Popen, timeout: float = 30) -> bool:
    """Call ``probe`` (a request to the server ``proc`` starts) every 0.2 s until it stops raising
    OSError: True once it answers, False when ``proc`` exits or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return True
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.2)
