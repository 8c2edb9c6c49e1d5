"""Related articles: per-article term vectors, term document counts, editors' pins.

`byline db upgrade` gives existing articles their vectors with the code the write paths use.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:11:04.448532
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "term_document_count",
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_term_document_count")),
    )
    op.create_table(
        "article_term",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_term_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "term", name=op.f("pk_article_term")),
    )
    with op.batch_alter_table("article_term", schema=None) as batch_op:
        batch_op.create_index("ix_article_term_term_article_id_weight", ["term", "article_id", "weight"], unique=False)

    op.create_table(
        "related_pin",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_related_pin_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["article.id"], name=op.f("fk_related_pin_related_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "related_id", name=op.f("pk_related_pin")),
    )


def downgrade() -> None:
    op.drop_table("related_pin")
    with op.batch_alter_table("article_term", schema=None) as batch_op:
        batch_op.drop_index("ix_article_term_term_article_id_weight")

    op.drop_table("article_term")
    op.drop_table("term_document_count")
