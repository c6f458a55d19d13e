"""fetch state for incremental crawls (its own branch, beside the article tables)

Revision ID: c001
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "c001"
down_revision = "0001"
branch_labels = ("crawlstate",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_state",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(length=512), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("listed_at", sa.DateTime(), nullable=True),
        sa.Column("site", sa.String(length=255), nullable=True),
        sa.Column("canonical_url", sa.String(length=2048), nullable=True),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_index("ix_fetch_state_site", "fetch_state", ["site"])


def downgrade() -> None:
    op.drop_index("ix_fetch_state_site", table_name="fetch_state")
    op.drop_table("fetch_state")
