"""Shared fixtures: paths, databases (real SQLite and PostgreSQL) and the demo server; and the
markers that split the suite for ``make test-fast``.

Tests live in one folder per layer (parsing, storage, cli, crawl, reliability, perf, ops); each
test gets its folder's name as a marker (``pytest -m storage``). A test that starts a process
or a server, or needs PostgreSQL or Redis, carries a marker saying so (``process``, ``server``,
``e2e``, ``postgres``, ``redis``; ``postgres`` is added here to every test that uses the
``postgres_url`` fixture or the PostgreSQL side of ``db_url``), and ``slow`` marks long runs.
Every other test is marked ``pure``: ``make test-fast`` runs ``pytest -m pure``.

PostgreSQL tests use the server at 127.0.0.1:5432 (trust auth). Outside CI they skip when
it is absent; with CI=true they fail instead, so a CI run can never pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
LAYERS = ("parsing", "storage", "cli", "crawl", "reliability", "perf", "ops")
IMPURE = ("e2e", "server", "process", "postgres", "redis", "slow")
FIXTURES = Path(__file__).with_name("fixtures")
SHARED = Path(os.environ.get("NEWSCRAWL_SHARED", ROOT.parent / "shared"))
PG_ADMIN_URL = os.environ.get("NEWSCRAWL_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = Path(item.path).resolve().relative_to(TESTS).parts[0]
        if layer in LAYERS:
            item.add_marker(layer)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres_url" in getattr(item, "fixturenames", ()) or params.get("db_url") == "postgresql":
            item.add_marker("postgres")
        if not any(item.get_closest_marker(name) for name in IMPURE):
            item.add_marker("pure")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@contextmanager
def fresh_postgres(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database named ``<prefix>_<random>``, dropped on exit. Skips the test
    when the server is absent, fails it in CI."""
    problem = _postgres_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres("newscrawl_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs against both real backends."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def demo_server() -> Iterator[object]:
    from tests.helpers.localserver import demo_site

    with demo_site() as server:
        yield server


@pytest.fixture
def seed_page() -> bytes:
    return (FIXTURES / "seed-article" / "page.html").read_bytes()


SEED_URL = "http://zixun.example.com/post/1987.html"


@pytest.fixture
def repo(db_url: str) -> Iterator[object]:
    """A Repository over a fresh database of each backend (see ``db_url``)."""
    from storage.db import connect
    from storage.repository import Repository

    engine = connect(db_url)
    yield Repository(engine)
    engine.dispose()


@pytest.fixture
def seed(seed_page: bytes) -> object:
    """The seed article parsed into a Record."""
    from crawler.parsing import parse_article

    return parse_article(seed_page, SEED_URL)
