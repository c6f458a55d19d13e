"""Functions the parse-pool tests run in spawned workers (a module of its own, so a worker
imports only this, not pytest and the test module)."""

from __future__ import annotations

import os
import signal
import time


def echo(payload: bytes) -> tuple[int, bytes]:
    """The worker's pid and what it was given: bodies cross whole, in both directions."""
    if payload == b"kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if payload == b"exit":
        os._exit(3)
    if payload == b"raise":
        raise ValueError("bad page")
    if payload.startswith(b"sleep:"):
        time.sleep(float(payload[6:]))
    return os.getpid(), payload


def collector(_: object = None) -> tuple[tuple[int, ...], int]:
    """The worker's garbage-collector thresholds and how many objects it froze."""
    import gc

    return gc.get_threshold(), gc.get_freeze_count()
