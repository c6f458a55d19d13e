"""Run a command with one of its output streams on a pseudo-terminal, as a user at a terminal
would see it (progress lines, tables), for tests of terminal-only output."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path


def run_on_terminal(cmd: list[str], *, stream: str = "stdout", env: dict[str, str] | None = None,
                    cwd: Path | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """(exit code, what the terminal showed, the other stream) for ``cmd`` with ``stream``
    ("stdout" or "stderr") on a pseudo-terminal; the other stream is piped."""
    leader, follower = pty.openpty()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: follower}
    proc = subprocess.Popen(cmd, stdout=streams["stdout"], stderr=streams["stderr"], cwd=cwd, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    other = (proc.stderr if stream == "stdout" else proc.stdout).read()
    proc.wait(timeout=timeout)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace"), other.decode("utf-8", "replace")
