"""The change feed: one row per article slug, saying when readers' view of it last changed and when
its article goes live. Existing articles get their row, at the current content version.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.columns

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("was_public", sa.Boolean(), nullable=False),
        sa.Column("former_slug", sa.String(length=200), nullable=True),
        sa.Column("live_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_change")),
        sa.UniqueConstraint("slug", name=op.f("uq_article_change_slug")),
    )
    op.create_index("ix_article_change_version_id", "article_change", ["version", "id"], unique=False)
    op.create_index("ix_article_change_live_at_id", "article_change", ["live_at", "id"], unique=False)
    # Rows for the articles there are, so a client starting from nothing gets them all. No tombstones:
    # nobody can hold a copy of an article gone before the feed existed.
    version = op.get_bind().execute(sa.text("SELECT version FROM content_version WHERE id = 1")).scalar()
    op.execute(
        sa.text(
            "INSERT INTO article_change (slug, version, changed_at, was_public, live_at) "
            "SELECT slug, :version, updated_at, false, "
            "CASE WHEN status = 'published' THEN "
            "CASE WHEN embargo_until > published_at THEN embargo_until ELSE published_at END END "
            "FROM article ORDER BY id"
        ).bindparams(version=max(version or 0, 1))
    )


def downgrade() -> None:
    op.drop_index("ix_article_change_live_at_id", table_name="article_change")
    op.drop_index("ix_article_change_version_id", table_name="article_change")
    op.drop_table("article_change")
