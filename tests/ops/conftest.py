"""Fixtures of the shared-frontier tests: the real Redis at 127.0.0.1:6379 (database 15).

Each test gets a site name of its own, because the frontier's keys are per site and two runs
of the suite on one machine (a session's and CI's) share the Redis server; only that
site's keys are deleted afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import IN_CI

REDIS_URL = os.environ.get("NEWSCRAWL_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def site_name() -> str:
    return f"redis-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def redis_client(site_name: str) -> Iterator[Any]:
    """A client of the test Redis; skips outside CI when it is absent, fails in CI."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is required in CI: {exc}")
        pytest.skip(f"Redis not available: {exc}")
    yield client
    for key in client.scan_iter(f"newscrawl:{site_name}:*"):
        client.delete(key)
