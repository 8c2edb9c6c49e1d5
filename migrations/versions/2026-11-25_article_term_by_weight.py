"""Term postings ordered by weight: related lookups read only each term's heaviest postings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_term", schema=None) as batch_op:
        batch_op.drop_index("ix_article_term_term_article_id_weight")
        batch_op.create_index("ix_article_term_term_weight_article_id", ["term", "weight", "article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("article_term", schema=None) as batch_op:
        batch_op.drop_index("ix_article_term_term_weight_article_id")
        batch_op.create_index("ix_article_term_term_article_id_weight", ["term", "article_id", "weight"], unique=False)
