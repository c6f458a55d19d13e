"""search: PostgreSQL documents built when searched, not on every article write

Revision ID: s003
Revises: s002
Create Date: 2026-11-29

Until now a row trigger built each article's tsvector and inserted it into the GIN index
inside the crawler's INSERT. Measured with two crawl processes sharing one PostgreSQL on
2 cores: that was 2.7 of the 3.6 ms of database CPU per stored page, and the reason a second
process added only 1.3x instead of 1.6x. Keeping a full-text index in step with every write
is the wrong place for the cost on a crawl-heavy store, so both backends now work alike:
writes only note what changed, and a search first brings the index up to date
(``storage.search.PgIndex.sync``, the twin of ``SqliteIndex.sync``).

* ``newscrawl_search.pending``: ids of articles inserted or whose title, summary or body
  changed since they were last indexed. A statement trigger fills it from the INSERT's
  transition table (one INSERT per batch, not one call per row); a row trigger does the same
  for updates that change the indexed text.
* Deleting an article still deletes its document at once (rare, and cheap).
* Documents already built by s001/s002 are kept; nothing is pending after the upgrade.
"""

from alembic import op

revision = "s003"
down_revision = "s002"
branch_labels = None
depends_on = None

UPGRADE = [
    "DROP TRIGGER IF EXISTS articles_search_sync ON articles",
    "CREATE TABLE IF NOT EXISTS newscrawl_search.pending (article_id integer PRIMARY KEY)",
    """
CREATE OR REPLACE FUNCTION newscrawl_search.note_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO newscrawl_search.pending (article_id) SELECT id FROM inserted ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION newscrawl_search.note_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO newscrawl_search.pending (article_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION newscrawl_search.forget_article() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM newscrawl_search.docs WHERE article_id = OLD.id;
  DELETE FROM newscrawl_search.pending WHERE article_id = OLD.id;
  RETURN OLD;
END $$""",
    "CREATE TRIGGER articles_search_inserted AFTER INSERT ON articles REFERENCING NEW TABLE AS inserted "
    "FOR EACH STATEMENT EXECUTE FUNCTION newscrawl_search.note_inserted()",
    "CREATE TRIGGER articles_search_changed AFTER UPDATE OF title, summary, body_text ON articles FOR EACH ROW "
    "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary "
    "OR OLD.body_text IS DISTINCT FROM NEW.body_text) EXECUTE FUNCTION newscrawl_search.note_changed()",
    "CREATE TRIGGER articles_search_deleted AFTER DELETE ON articles FOR EACH ROW "
    "EXECUTE FUNCTION newscrawl_search.forget_article()",
]

DOWNGRADE = [
    "DROP TRIGGER IF EXISTS articles_search_inserted ON articles",
    "DROP TRIGGER IF EXISTS articles_search_changed ON articles",
    "DROP TRIGGER IF EXISTS articles_search_deleted ON articles",
    "INSERT INTO newscrawl_search.docs (article_id, doc) "
    "SELECT a.id, newscrawl_search.document(a.title, a.summary, a.body_text) "
    "FROM articles a JOIN newscrawl_search.pending p ON p.article_id = a.id "
    "ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc",
    "DROP TABLE newscrawl_search.pending",
    "DROP FUNCTION newscrawl_search.note_inserted()",
    "DROP FUNCTION newscrawl_search.note_changed()",
    "DROP FUNCTION newscrawl_search.forget_article()",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from storage.migrations.versions.s001_search import UPGRADE as S001

    for statement in DOWNGRADE:
        op.execute(statement)
    op.execute(next(s for s in S001 if s.startswith("CREATE TRIGGER articles_search_sync")))
