"""Editorial API: API keys, article revisions, embargoes and slug redirects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:58:57.086657
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.db.columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
    )
    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "changes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "snapshot", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_revision_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revision")),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_article_revision_article_id_number")),
    )
    op.create_table(
        "article_slug_redirect",
        sa.Column("old_slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_slug_redirect_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("old_slug", name=op.f("pk_article_slug_redirect")),
    )
    with op.batch_alter_table("article_slug_redirect", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_slug_redirect_article_id"), ["article_id"], unique=False)

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embargo_until", app.db.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_article_status_updated_at_id", ["status", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_article_embargo_until", ["embargo_until"], unique=False)
        # Visible-article counts check the embargo too; keep them inside the indexes.
        batch_op.drop_index("ix_article_status_published_at_id")
        batch_op.create_index(
            "ix_article_status_published_at_id", ["status", "published_at", "id", "embargo_until"], unique=False
        )
        batch_op.drop_index("ix_article_section_id_status_published_at_id")
        batch_op.create_index(
            "ix_article_section_id_status_published_at_id",
            ["section_id", "status", "published_at", "id", "embargo_until"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_section_id_status_published_at_id")
        batch_op.create_index(
            "ix_article_section_id_status_published_at_id", ["section_id", "status", "published_at", "id"], unique=False
        )
        batch_op.drop_index("ix_article_status_published_at_id")
        batch_op.create_index("ix_article_status_published_at_id", ["status", "published_at", "id"], unique=False)
        batch_op.drop_index("ix_article_status_updated_at_id")
        batch_op.drop_index("ix_article_embargo_until")
        batch_op.drop_column("embargo_until")

    with op.batch_alter_table("article_slug_redirect", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_slug_redirect_article_id"))

    op.drop_table("article_slug_redirect")
    op.drop_table("article_revision")
    op.drop_table("api_key")
