"""originals, raw pages, reject references, near-duplicate index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00

- articles.original / article_versions.original: the text script conversion replaced.
- articles.minhash: the MinHash signature of the body (filled for old rows on first write).
- raw_pages: compressed fetched bytes, one row per canonical URL, for `newscrawl reparse`.
- rejects.canonical_url / rejects.raw_page_id: what a reject was and where its page is.
- lsh_bands: the LSH band keys of every article's signature (the near-duplicate index).
- store_meta: key/value facts, e.g. the parameters the LSH index was built with.

Column additions go through batch_alter_table so SQLite (which cannot add a foreign key
to an existing table) gets a table rebuild and PostgreSQL a plain ALTER TABLE.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'raw_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('canonical_url', sa.String(length=2048), nullable=False),
        sa.Column('fetched_at', sa.String(length=40), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('encoding', sa.String(length=64), nullable=True),
        sa.Column('compression', sa.String(length=16), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('canonical_url'),
    )
    op.create_table(
        'lsh_bands',
        sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('band', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', 'article_id'),
    )
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lsh_bands_article_id'), ['article_id'], unique=False)
    op.create_table(
        'store_meta',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('minhash', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original', sa.JSON(), nullable=True))
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('canonical_url', sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column('raw_page_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_rejects_raw_page_id_raw_pages', 'raw_pages', ['raw_page_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_rejects_raw_page_id'), ['raw_page_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejects_raw_page_id'))
        batch_op.drop_constraint('fk_rejects_raw_page_id_raw_pages', type_='foreignkey')
        batch_op.drop_column('raw_page_id')
        batch_op.drop_column('canonical_url')
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.drop_column('original')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('minhash')
        batch_op.drop_column('original')
    op.drop_table('store_meta')
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lsh_bands_article_id'))
    op.drop_table('lsh_bands')
    op.drop_table('raw_pages')
