"""export cursors: which version of each article a named export has written

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

``export --changes-since NAME`` exports the records stored or changed since the last
export of that name. ``export_marks`` holds, per cursor name and article, the version last
written; see ``storage.models.ExportMark`` for why marks and not a high-water number.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_marks",
        sa.Column("cursor", sa.String(100), primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_export_marks_article_id", "export_marks", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_export_marks_article_id", "export_marks")
    op.drop_table("export_marks")
