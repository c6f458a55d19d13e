"""full-text search index (its own branch)

Revision ID: s001
Revises: 0002
Create Date: 2026-11-29

PostgreSQL: a tsvector per article in newscrawl_search.docs, kept in step by a trigger on
articles, so no Python write path changes. The text is indexed as storage.search.grams
does it: every run of CJK characters becomes its bigrams followed by its characters (the
PL/pgSQL function below is its twin; keep them alike), with the 'simple' configuration,
title weighted A, summary B, body D. The objects live in their own schema, outside what
the models describe, so autogenerate comparisons of the public schema are unaffected.

SQLite: nothing here. Its FTS5 index lives in a file beside the database and is brought
up to date by the search command itself (storage/search.py).
"""

from alembic import op

revision = "s001"
down_revision = "0002"
branch_labels = ("search",)
depends_on = None

CJK_CLASS = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"

UPGRADE = [
    "CREATE SCHEMA IF NOT EXISTS newscrawl_search",
    r"""
CREATE OR REPLACE FUNCTION newscrawl_search.run_grams(run text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  n integer := cardinality(run);
  parts text[] := '{}';
BEGIN
  IF n = 0 THEN RETURN ''; END IF;
  IF n = 1 THEN RETURN ' ' || run[1] || ' '; END IF;
  FOR i IN 1 .. n - 1 LOOP
    parts := array_append(parts, run[i] || run[i + 1]);
  END LOOP;
  RETURN ' ' || array_to_string(parts, ' ') || ' ' || array_to_string(run, ' ') || ' ';
END $$""",
    r"""
CREATE OR REPLACE FUNCTION newscrawl_search.grams(doc text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  ch text;
  run text[] := '{}';
  parts text[] := '{}';
BEGIN
  IF doc IS NULL OR doc = '' THEN RETURN ''; END IF;
  FOREACH ch IN ARRAY regexp_split_to_array(doc, '') LOOP
    IF ch ~ '""" + CJK_CLASS + r"""' THEN
      run := array_append(run, ch);
    ELSE
      IF cardinality(run) > 0 THEN
        parts := array_append(parts, newscrawl_search.run_grams(run));
        run := '{}';
      END IF;
      parts := array_append(parts, ch);
    END IF;
  END LOOP;
  parts := array_append(parts, newscrawl_search.run_grams(run));
  RETURN array_to_string(parts, '');
END $$""",
    """
CREATE OR REPLACE FUNCTION newscrawl_search.document(title text, summary text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, newscrawl_search.grams(title)), 'A')
      || setweight(to_tsvector('simple'::regconfig, newscrawl_search.grams(summary)), 'B')
      || setweight(to_tsvector('simple'::regconfig, newscrawl_search.grams(body)), 'D')
$$""",
    "CREATE TABLE newscrawl_search.docs (article_id integer PRIMARY KEY, doc tsvector NOT NULL)",
    "CREATE INDEX docs_doc_gin ON newscrawl_search.docs USING gin (doc)",
    """
CREATE OR REPLACE FUNCTION newscrawl_search.sync_article() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM newscrawl_search.docs WHERE article_id = OLD.id;
    RETURN OLD;
  END IF;
  INSERT INTO newscrawl_search.docs (article_id, doc)
  VALUES (NEW.id, newscrawl_search.document(NEW.title, NEW.summary, NEW.body_text))
  ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc;
  RETURN NEW;
END $$""",
    "CREATE TRIGGER articles_search_sync AFTER INSERT OR UPDATE OF title, summary, body_text OR DELETE "
    "ON articles FOR EACH ROW EXECUTE FUNCTION newscrawl_search.sync_article()",
    "INSERT INTO newscrawl_search.docs (article_id, doc) "
    "SELECT id, newscrawl_search.document(title, summary, body_text) FROM articles",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS articles_search_sync ON articles")
    op.execute("DROP SCHEMA IF EXISTS newscrawl_search CASCADE")
