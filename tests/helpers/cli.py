"""The ``newscrawl`` command in its own process, as a user or cron runs it (a crawl must:
Scrapy's reactor runs once per process). Bounded: a run longer than ``timeout`` fails."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def newscrawl(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=dict(os.environ))
