"""A small local HTTP server for the bundled demo news site.

Crawl tests and ``newscrawl demo`` need a real HTTP site on 127.0.0.1 whose port
is only known at start-up (port 0 = any free port). The committed pages write
absolute URLs (sitemap, feed, canonical links, robots.txt) as the token
``__BASE_URL__``; this server replaces it with ``http://HOST:PORT`` in text
responses, so the same files work on any port.

Stdlib only (``http.server.ThreadingHTTPServer``): it serves files from a root
directory, maps ``/`` and ``/dir/`` to ``index.html``, answers 404 for anything
missing or outside the root (no path traversal, no symlink escape), always has a
``/robots.txt`` that allows everything and names the sitemap, and logs nothing.

    python -m crawler.demo.server          # prints the URL, Ctrl-C to stop
"""

from __future__ import annotations

import posixpath
import sys
import threading
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from crawler.demo import BASE_URL_TOKEN, SITE_ROOT

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".shtml": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}
# Only these get the __BASE_URL__ substitution: the files that carry absolute URLs.
SUBSTITUTED = {".html", ".htm", ".shtml", ".xml", ".txt"}
DEFAULT_ROBOTS = "User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    root: Path
    base_url: str
    hits: Counter[str]


class DemoRequestHandler(BaseHTTPRequestHandler):
    """GET/HEAD of static files under the server's root, with base-URL substitution."""

    server: _Server
    server_version = "newscrawl-demo/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.hits[urlsplit(self.path).path] += 1  # tests count fetches per path
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, *args: object) -> None:
        """Quiet: a crawl test fetches hundreds of pages; stderr stays readable."""

    def _respond(self, *, with_body: bool) -> None:
        url_path = urlsplit(self.path).path
        if url_path == "/robots.txt":
            target = self._resolve(url_path)
            body = (
                target.read_text(encoding="utf-8") if target else DEFAULT_ROBOTS.format(base=BASE_URL_TOKEN)
            ).replace(BASE_URL_TOKEN, self.server.base_url)
            self._send(HTTPStatus.OK, CONTENT_TYPES[".txt"], body.encode("utf-8"), with_body)
            return
        target = self._resolve(url_path)
        if target is None:
            self._send_error(HTTPStatus.NOT_FOUND, with_body)
            return
        if target.is_dir():
            # "/news" -> "/news/", like any static server, so relative links resolve.
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        suffix = target.suffix.lower()
        data = target.read_bytes()
        if suffix in SUBSTITUTED:
            data = data.replace(BASE_URL_TOKEN.encode(), self.server.base_url.encode())
        self._send(HTTPStatus.OK, CONTENT_TYPES.get(suffix, "application/octet-stream"), data, with_body)

    def _resolve(self, url_path: str) -> Path | None:
        """Map a URL path to a file under the root, or None (missing, or an escape attempt)."""
        try:
            raw = unquote(url_path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in raw or "\\" in raw or not raw.startswith("/"):
            return None
        parts = raw.split("/")
        if any(p in ("..", ".") for p in parts):
            return None
        norm = posixpath.normpath(raw)
        root = self.server.root
        candidate = (root / norm.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None  # a symlink pointing outside the root
        if candidate.is_dir():
            if not raw.endswith("/"):
                return candidate
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _send_error(self, status: HTTPStatus, with_body: bool) -> None:
        data = f"<!DOCTYPE html><html><body><h1>{status.value} {status.phrase}</h1></body></html>\n".encode()
        self._send(status, CONTENT_TYPES[".html"], data, with_body)


class DemoServer:
    """Serve the demo site from a daemon thread; use as a context manager.

    >>> with DemoServer() as server:          # doctest: +SKIP
    ...     urllib.request.urlopen(server.base_url + "/sitemap.xml")
    """

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root or SITE_ROOT).resolve()
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DemoServer:
        if self._httpd is not None:
            return self
        if not self.root.is_dir():
            raise FileNotFoundError(f"demo site root not found: {self.root}")
        httpd = _Server((self.host, self.port), DemoRequestHandler)
        httpd.root = self.root
        httpd.hits = Counter()
        self.port = int(httpd.server_address[1])
        httpd.base_url = f"http://{self.host}:{self.port}"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def hits(self) -> Counter[str]:
        """GET requests served so far, by path."""
        if self._httpd is None:
            raise RuntimeError("DemoServer is not running; call start() first")
        return self._httpd.hits

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("DemoServer is not running; call start() first")
        return self._httpd.base_url

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(port: int = 0) -> None:
    """Serve the demo site until interrupted, printing its URL (for manual use)."""
    server = DemoServer(port=port).start()
    print(f"demo news site at {server.base_url}/  (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    serve_forever(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
