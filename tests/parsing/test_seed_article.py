"""The seed page must parse into exactly the expected record, field by field, and validate
against the record schema."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import jsonschema
import pytest

from crawler.parsing import parse_article
from tests.conftest import FIXTURES, SEED_URL, SHARED

EXPECTED = json.loads((FIXTURES / "seed-article" / "expected.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((FIXTURES / "record.schema.json").read_text(encoding="utf-8"))
FIELDS = [k for k in EXPECTED if k not in ("body_blocks", "not_in_body", "body_text")]


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def record() -> dict:
    body = (FIXTURES / "seed-article" / "page.html").read_bytes()
    fetched = datetime(2025, 7, 18, 0, 0, tzinfo=UTC)
    return parse_article(body, SEED_URL, fetched_at=fetched).to_dict()


@pytest.mark.parametrize("field", FIELDS)
def test_field_matches_expected(record: dict, field: str) -> None:
    assert record[field] == EXPECTED[field]


def test_body_text_matches_after_whitespace_normalisation(record: dict) -> None:
    assert _ws(record["body_text"]) == _ws(EXPECTED["body_text"])


def test_body_blocks_are_lines(record: dict) -> None:
    assert record["body_text"].split("\n") == EXPECTED["body_blocks"]


@pytest.mark.parametrize("junk", EXPECTED["not_in_body"])
def test_page_chrome_not_in_body(record: dict, junk: str) -> None:
    assert junk not in record["body_text"]


def test_alt_text_not_in_body(record: dict) -> None:
    assert "老虎機" not in record["body_text"]


def test_record_validates_against_schema(record: dict) -> None:
    jsonschema.validate(record, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_content_hash_ignores_script_and_markup(record: dict) -> None:
    from crawler.parsing.clean import content_hash, to_simplified

    # The attribution line (本文來自…) is metadata, not article text: a reprint differs there.
    text = "\n".join(EXPECTED["body_blocks"][:-1])
    assert record["content_hash"] == content_hash(to_simplified(text))
    assert record["content_hash"] == content_hash(text.replace("\n", "\n\n  "))


@pytest.mark.parametrize("name", ["seed-article/page.html", "seed-article/expected.json", "record.schema.json"])
def test_repository_copies_match_the_shared_contract(name: str) -> None:
    """The tests read the repository's copies so they run in any checkout; where the shared
    originals are present (as in CI) the copies must still be the same bytes."""
    original = SHARED / ("fixtures/" + name if name.startswith("seed-article") else name)
    if not original.exists():
        pytest.skip(f"{original} not available")
    assert (FIXTURES / name).read_bytes() == original.read_bytes()
