"""Deep pages of the article list are stored too, each holding only while the content version it
was built under is current (app.articles.rendered).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rendered_answer") as table:
        table.add_column(sa.Column("content_version", sa.Integer(), nullable=True))
    op.create_index("ix_rendered_answer_content_version", "rendered_answer", ["content_version"])


def downgrade() -> None:
    op.drop_index("ix_rendered_answer_content_version", table_name="rendered_answer")
    with op.batch_alter_table("rendered_answer") as table:
        table.drop_column("content_version")
