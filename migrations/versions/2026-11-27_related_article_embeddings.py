"""Related articles: per-article sentence embeddings, and the queue of articles whose text changed since.

Every existing article is queued, so `byline search embed` (with the `semantic` extra) backfills them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_embedding",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_embedding_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_embedding")),
    )
    with op.batch_alter_table("article_embedding", schema=None) as batch_op:
        batch_op.create_index("ix_article_embedding_generation", ["generation"], unique=False)
    op.create_table(
        "embedding_pending",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_embedding_pending_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_embedding_pending")),
    )
    op.execute("INSERT INTO embedding_pending (article_id, content_hash) SELECT id, '' FROM article")


def downgrade() -> None:
    op.drop_table("embedding_pending")
    with op.batch_alter_table("article_embedding", schema=None) as batch_op:
        batch_op.drop_index("ix_article_embedding_generation")
    op.drop_table("article_embedding")
