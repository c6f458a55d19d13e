"""search: the PostgreSQL grams function set-based instead of a per-character loop

Revision ID: s002
Revises: s001
Create Date: 2026-11-28

The PL/pgSQL twin of storage.search.grams (s001) walked the text one character at a time and
grew arrays with array_append, which copies the array each time: quadratic in the length of
the text. Run by the search trigger on every article insert, it kept a PostgreSQL backend
busy for ~0.6 s of CPU per second of crawling and was what limited two crawl processes
sharing one database. This version does the same in SQL over regexp matches: each CJK run
becomes its bigrams then its characters, every other character passes through. Output is
identical (tests/test_search.py compares it with the Python function).
"""

from alembic import op

from storage.migrations.versions.s001_search import CJK_CLASS

revision = "s002"
down_revision = "s001"
branch_labels = None
depends_on = None

CJK_RANGES = CJK_CLASS[1:-1]  # the class's contents, to build [...]+ and [^...]+

GRAMS = r"""
CREATE OR REPLACE FUNCTION newscrawl_search.grams(doc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
           CASE WHEN m[1] IS NULL THEN m[2]
                WHEN char_length(m[1]) = 1 THEN ' ' || m[1] || ' '
                ELSE ' ' || (SELECT string_agg(substr(m[1], i, 2), ' ' ORDER BY i)
                             FROM generate_series(1, char_length(m[1]) - 1) AS i)
                     || ' ' || array_to_string(regexp_split_to_array(m[1], ''), ' ') || ' '
           END, '' ORDER BY n), '')
  FROM regexp_matches(coalesce(doc, ''), '([""" + CJK_RANGES + r"""]+)|([^""" + CJK_RANGES + r"""]+)', 'g')
       WITH ORDINALITY AS t(m, n)
$$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(GRAMS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from storage.migrations.versions.s001_search import UPGRADE

    op.execute(next(s for s in UPGRADE if "FUNCTION newscrawl_search.grams(" in s))
