"""raw_page_parts: the other pages of a multi-page article's raw page (its own branch)

Revision ID: m001
Revises: 0002
Create Date: 2026-12-05

An article merged from several pages keeps all of them for ``newscrawl reparse``: page 1 in
``raw_pages`` as before, pages 2..N (or its single-page view, number 0) here, keyed by the
raw page and the page number, deleted with it.
"""

import sqlalchemy as sa
from alembic import op

revision = "m001"
down_revision = "0002"
branch_labels = ("multipage",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raw_page_parts",
        sa.Column("raw_page_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("compression", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["raw_page_id"], ["raw_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("raw_page_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("raw_page_parts")
