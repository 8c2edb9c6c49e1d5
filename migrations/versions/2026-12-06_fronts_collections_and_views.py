"""Fronts: collections of articles in the editors' order, their revisions and scheduled orders, a
section's editors' picks, and views per article and minute for most read.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 13:13:19
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db.columns import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("max_items", sa.Integer(), nullable=False),
        sa.Column("fallback_section_id", sa.Integer(), nullable=True),
        sa.Column("ordered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fallback_section_id"],
            ["section.id"],
            name=op.f("fk_collection_fallback_section_id_section"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.UniqueConstraint("slug", name=op.f("uq_collection_slug")),
    )
    op.create_table(
        "collection_item",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_collection_item_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_item_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "position", name=op.f("pk_collection_item")),
    )
    op.create_index(op.f("ix_collection_item_article_id"), "collection_item", ["article_id"])
    op.create_table(
        "collection_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("apply_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("items", _DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_revision_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_revision")),
    )
    op.create_index("ix_collection_revision_collection_id_id", "collection_revision", ["collection_id", "id"])
    op.create_table(
        "collection_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("apply_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("items", _DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_schedule_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_schedule")),
    )
    op.create_index(op.f("ix_collection_schedule_apply_at"), "collection_schedule", ["apply_at"])
    op.create_index(
        "ix_collection_schedule_collection_id_apply_at", "collection_schedule", ["collection_id", "apply_at"]
    )
    with op.batch_alter_table("section") as batch_op:
        batch_op.add_column(sa.Column("editors_picks", sa.String(length=200), nullable=True))
    op.create_table(
        "article_views",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("minute", UTCDateTime(timezone=True), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_views_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "minute", name=op.f("pk_article_views")),
    )
    op.create_index("ix_article_views_minute_article_id", "article_views", ["minute", "article_id"])


def downgrade() -> None:
    op.drop_table("article_views")
    with op.batch_alter_table("section") as batch_op:
        batch_op.drop_column("editors_picks")
    op.drop_table("collection_schedule")
    op.drop_table("collection_revision")
    op.drop_table("collection_item")
    op.drop_table("collection")
