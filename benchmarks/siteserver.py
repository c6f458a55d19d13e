"""Serve the generated site on 127.0.0.1, and measure the server's own rate.

Why nginx: a crawl benchmark must measure the crawler, so the server has to be far faster
than it. FACTS.md: nginx served these pages at 27,000-40,000 requests/s here, while
Python's http.server managed ~200 pages/s and would have been the bottleneck. nginx runs
as the current user from a generated config in a temporary prefix (``-p``), in the
foreground (``daemon off``), without an access log, on a free port.

When nginx is missing, ``AsyncioServer`` is the fallback: a small keep-alive HTTP/1.1
static server on asyncio in its own process. It is much faster than http.server but still
Python, shares the cores with the crawler and may cap the measured rates; the results say
which server was used and what it achieved on its own.

The rate is measured with wrk when installed (``wrk -t2 -c64``, rotating over a few
article URLs), else with ``python_load``, an asyncio keep-alive client that is itself
Python and so gives a lower bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain",
                 ".json": "application/json"}


def free_port() -> int:
    """A port that was free a moment ago (nginx binds it right after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_nginx() -> str | None:
    """nginx on PATH, or in the sbin directories a non-root PATH often lacks."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def nginx_conf(prefix: Path, site: Path, overlay: Path, port: int) -> str:
    """A minimal static-file config; every path nginx writes to lives under ``prefix``."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # as root, workers would become nobody
    temp = "\n".join(f"    {name}_temp_path {prefix / ('tmp-' + name)};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}daemon off;
worker_processes 2;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    types {{ text/html html; application/xml xml; text/plain txt; application/json json; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/plain application/xml;
{temp}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {site};
        location = /robots.txt {{ root {overlay}; }}
        location = /sitemap.xml {{ root {overlay}; }}
        location /sitemaps/ {{ root {overlay}; }}
    }}
}}
"""


class SiteServer:
    """``with SiteServer(site, overlay) as server: server.origin`` -- nginx or the fallback."""

    def __init__(self, site: Path, overlay: Path, kind: str = "auto") -> None:
        self.site = site
        self.overlay = overlay
        self.kind = kind
        self.port = 0
        self.note = "" if kind != "fallback" else "the asyncio server was asked for"
        self.kind_detail = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._prefix: tempfile.TemporaryDirectory[str] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SiteServer:
        nginx = find_nginx() if self.kind in ("auto", "nginx") else None
        if self.kind == "nginx" and nginx is None:
            raise RuntimeError("nginx was asked for but is not installed")
        if nginx:
            try:
                self._start_nginx(nginx)
                return self
            except RuntimeError as exc:
                if self.kind == "nginx":
                    raise
                self.note = f"nginx failed to start ({exc}); fell back to the asyncio server"
                self._stop()
        elif not self.note:
            self.note = "nginx not installed; fell back to the asyncio server (Python: may cap the rates)"
        self._start_fallback()
        return self

    def _start_nginx(self, nginx: str) -> None:
        self._prefix = tempfile.TemporaryDirectory(prefix="newscrawl-nginx-")
        prefix = Path(self._prefix.name)
        (prefix / "logs").mkdir()
        self.port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, self.site.resolve(), self.overlay.resolve(), self.port))
        self._proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port, proc=self._proc)
        except RuntimeError as exc:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            log = prefix / "error.log"
            err += log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{exc}: {err.strip()[-300:]}") from None
        self.kind = "nginx"
        version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        self.kind_detail = version.replace("nginx version: ", "")

    def _start_fallback(self) -> None:
        self.port = free_port()
        self._proc = subprocess.Popen([sys.executable, "-m", "benchmarks.siteserver", str(self.site),
                                       str(self.overlay), str(self.port)], stdout=subprocess.DEVNULL,
                                      cwd=Path(__file__).resolve().parents[1])
        wait_for_port(self.port, proc=self._proc)
        self.kind = "asyncio"
        self.kind_detail = f"python {sys.version.split()[0]} asyncio static server"

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM if self.kind != "nginx" else signal.SIGQUIT)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._prefix is not None:
            self._prefix.cleanup()
            self._prefix = None

    def __exit__(self, *exc: Any) -> None:
        self._stop()


# --- measuring the server ---------------------------------------------------------------------

WRK_LUA = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def measure_rate(origin: str, paths: list[str], seconds: float = 5.0) -> dict[str, Any]:
    """Requests/s the server sustains on ``paths`` with nothing else from us running."""
    wrk = shutil.which("wrk")
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_LUA % ", ".join(f'"{p}"' for p in paths))
        try:
            out = subprocess.run([wrk, "-t2", "-c64", f"-d{max(1, round(seconds))}s", "-s", script.name, origin + "/"],
                                 capture_output=True, text=True, timeout=seconds + 30).stdout
        finally:
            os.unlink(script.name)
        rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
        errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
        return {"tool": "wrk -t2 -c64", "seconds": seconds, "requests_per_s": float(rate.group(1)) if rate else None,
                "non_2xx": int(errors.group(1)) if errors else 0, "urls": len(paths)}
    rate_, bad = asyncio.run(python_load(origin, paths, seconds))
    return {"tool": "python asyncio client, 32 connections (a lower bound: the client is Python too)",
            "seconds": seconds, "requests_per_s": rate_, "non_2xx": bad, "urls": len(paths)}


async def python_load(origin: str, paths: list[str], seconds: float, connections: int = 32) -> tuple[float, int]:
    """Keep-alive GETs over ``connections`` connections for ``seconds``; (requests/s, non-200s)."""
    host, port = origin.removeprefix("http://").split(":")
    deadline = time.monotonic() + seconds
    done = [0, 0]

    async def worker(offset: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        n = offset
        try:
            while time.monotonic() < deadline:
                path = paths[n % len(paths)]
                n += 1
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
                done[0] += 1
                if not head.startswith(b"HTTP/1.1 200"):
                    done[1] += 1
        finally:
            writer.close()

    start = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    return done[0] / (time.monotonic() - start), done[1]


# --- the fallback server ----------------------------------------------------------------------


class _StaticProtocol(asyncio.Protocol):
    """HTTP/1.1 GET/HEAD of static files with keep-alive; enough for a crawler, nothing more."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self._answer(head)

    def _answer(self, head: bytes) -> None:
        assert self.transport is not None
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("GET", "/")
        body, status, ctype = self._lookup(target.split("?", 1)[0])
        close = b"connection: close" in head.lower()
        headers = (f"HTTP/1.1 {status}\r\nServer: bench-asyncio\r\nContent-Type: {ctype}\r\n"
                   f"Content-Length: {len(body)}\r\n{'Connection: close' if close else 'Connection: keep-alive'}"
                   f"\r\n\r\n").encode("latin-1")
        self.transport.write(headers + (b"" if method == "HEAD" else body))
        if close:
            self.transport.close()

    def _lookup(self, path: str) -> tuple[bytes, str, str]:
        if path.endswith("/"):
            path += "index.html"
        if ".." in path:
            return b"bad request", "400 Bad Request", "text/plain"
        for root in self.roots:
            try:
                body = (root / path.lstrip("/")).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
            return body, "200 OK", CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream")
        return b"not found", "404 Not Found", "text/plain"


def serve_fallback(site: Path, overlay: Path, port: int) -> None:
    """Run the fallback server until SIGTERM (the overlay wins over the site)."""

    async def run() -> None:
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
        server = await loop.create_server(lambda: _StaticProtocol([overlay, site]), "127.0.0.1", port, backlog=1024)
        async with server:
            await stop

    with contextlib.suppress(ImportError):
        import uvloop  # type: ignore[import-not-found]  # optional: faster when present

        uvloop.install()
    asyncio.run(run())


def fallback_runs() -> str | None:
    """None when the fallback server starts and answers here, else why not."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "index.html").write_text("<p>ok</p>")
        try:
            with SiteServer(root, root, kind="fallback") as server:
                rate, bad = asyncio.run(python_load(server.origin, ["/index.html"], 0.2, connections=2))
                return None if rate > 0 and not bad else "no answer"
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot run here"
            return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    serve_fallback(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
