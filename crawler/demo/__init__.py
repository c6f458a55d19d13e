"""The bundled demo news site: fictional articles in three CMS styles, served locally.

End-to-end tests and ``newscrawl demo`` crawl this site instead of the real web,
so a crawl is fast, repeatable and needs no network. ``SITE_ROOT`` holds the
committed static pages (regenerate with ``python -m tools.demo_site.build``);
``manifest.json`` is the ground truth a crawl is checked against: every article's
path, style, clean title, publication time and, for the republished copy, which
article it duplicates. Serve the site with :class:`crawler.demo.server.DemoServer`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO_DIR: Path = Path(__file__).resolve().parent
SITE_ROOT: Path = DEMO_DIR / "site"
MANIFEST_PATH: Path = DEMO_DIR / "manifest.json"
BASE_URL_TOKEN = "__BASE_URL__"

__all__ = ["BASE_URL_TOKEN", "MANIFEST_PATH", "SITE_ROOT", "load_manifest"]


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """Return the demo site's ground truth (``articles``, ``not_articles``, ``listings``, ``feeds``, ``sitemaps``)."""
    return json.loads((path or MANIFEST_PATH).read_text(encoding="utf-8"))
