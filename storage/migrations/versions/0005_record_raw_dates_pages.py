"""articles keep the raw date texts, the page count, the paywall flag and the removal time

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

The record contract (record.schema.json) gained five optional fields: ``published_raw`` and
``modified_raw`` (the text a date was read from), ``page_count`` (pages merged into one
record), ``paywalled`` and ``removed_at``. Every Record field is an ``articles`` column, so
each gets one; all are nullable, so existing rows need no backfill.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (("published_raw", sa.Text), ("modified_raw", sa.Text), ("page_count", sa.Integer),
           ("paywalled", sa.Boolean), ("removed_at", lambda: sa.String(40)))


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
