"""The media library: pictures with their sizes, words and focal point, and which articles show them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.columns import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("alt", sa.String(length=1000), nullable=False),
        sa.Column("caption", sa.String(length=2000), nullable=True),
        sa.Column("credit", sa.String(length=300), nullable=True),
        sa.Column("licence", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("focal_x", sa.Float(), nullable=False),
        sa.Column("focal_y", sa.Float(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("placeholder", sa.String(length=2000), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("served_from", sa.String(length=500), nullable=False),
        sa.Column("uploader_key_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("format IN ('jpeg', 'png', 'webp', 'avif', 'gif')", name=op.f("ck_media_format")),
        sa.ForeignKeyConstraint(
            ["uploader_key_id"], ["api_key.id"], name=op.f("fk_media_uploader_key_id_api_key"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )
    op.create_index("ix_media_content_hash", "media", ["content_hash"])
    op.create_index("ix_media_created_at_id", "media", ["created_at", "id"])
    op.create_index("ix_media_uploader_key_id_created_at", "media", ["uploader_key_id", "created_at"])
    op.create_table(
        "article_media",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_media_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"], name=op.f("fk_article_media_media_id_media")),
        sa.PrimaryKeyConstraint("article_id", "media_id", name=op.f("pk_article_media")),
    )
    op.create_index("ix_article_media_media_id_article_id", "article_media", ["media_id", "article_id"])


def downgrade() -> None:
    op.drop_table("article_media")
    op.drop_table("media")
