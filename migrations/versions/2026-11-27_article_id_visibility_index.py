"""A covering index from article id to what decides visibility and the list filters, so a search
checks thousands of matches without reading their rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 14:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_article_id_visibility",
        "article",
        ["id", "status", "published_at", "embargo_until", "section_id", "updated_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_article_id_visibility", table_name="article")
