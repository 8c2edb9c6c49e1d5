"""Articles and comments remember the id they had in the system they were imported from, so a
re-import upserts them instead of adding copies.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint("uq_article_external_id", ["external_id"])
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint("uq_comment_article_id_external_id", ["article_id", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_comment_article_id_external_id", type_="unique")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_constraint("uq_article_external_id", type_="unique")
        batch_op.drop_column("external_id")
