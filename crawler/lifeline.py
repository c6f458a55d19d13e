"""Helper processes die with the crawl process, however it dies.

A parse worker or the store process left behind by a SIGKILLed crawl (the OOM killer, a
scheduler's timeout) was re-parented to PID 1 and lived on, holding the SQLite file or an
idle PostgreSQL connection: it never saw an end of file, because a spawned child holds
both ends of its own work queue's pipe. Each helper calls ``die_with_parent`` first thing:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the helper when the thread
  that started it exits. Helpers are started by the crawl process's main thread (the
  reactor's), whose end is the process's end;
- everywhere else (or if prctl is refused), a daemon thread that looks at the parent's pid
  once a second and exits the process when it changed (the helper was re-parented).

Either way the check against the pid the crawl passed down closes the race of a parent that
died before the helper got this far.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 1.0


def _set_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> None:
    """Make this (helper) process end when ``parent``, the crawl process, ends."""
    if not _set_death_signal():
        threading.Thread(target=_watch, args=(parent,), name="newscrawl-lifeline", daemon=True).start()
    if os.getppid() != parent:  # the crawl died before the signal was armed
        os._exit(1)
