"""Public answers (an article, the first page of the article list), stored as sent after an
anonymous read built them, so an uncached read is one indexed row (app.articles.rendered).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.db.columns

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rendered_answer",
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("stamp", sa.String(length=64), nullable=False),
        sa.Column("valid_from", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("headers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("path", name="pk_rendered_answer"),
    )
    op.create_table(
        "rendered_answer_key",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["path"], ["rendered_answer.path"], name="fk_rendered_answer_key_path_rendered_answer", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", "path", name="pk_rendered_answer_key"),
    )
    op.create_index("ix_rendered_answer_key_path", "rendered_answer_key", ["path"])


def downgrade() -> None:
    op.drop_table("rendered_answer_key")
    op.drop_table("rendered_answer")
