"""Initial schema: authors, sections, tags, articles with bylines, tags and corrections, content version.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:34:19.709281
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.db.columns

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    content_version = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.bulk_insert(content_version, [{"id": 1, "version": 0, "changed_at": datetime.now(UTC)}])
    op.create_table(
        "author",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("bio", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("avatar_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "links", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author")),
        sa.UniqueConstraint("slug", name=op.f("uq_author_slug")),
    )
    with op.batch_alter_table("author", schema=None) as batch_op:
        batch_op.create_index("ix_author_name_id", ["name", "id"], unique=False)

    op.create_table(
        "section",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section")),
        sa.UniqueConstraint("slug", name=op.f("uq_section_slug")),
    )
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.create_index("ix_section_name_id", ["name", "id"], unique=False)

    op.create_table(
        "tag",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("slug", name=op.f("uq_tag_slug")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index("ix_tag_name_id", ["name", "id"], unique=False)

    op.create_table(
        "article",
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("subtitle", sqlmodel.sql.sqltypes.AutoString(length=600), nullable=True),
        sa.Column("comments_open", sa.Boolean(), nullable=False),
        sa.Column("canonical_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("excerpt", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column(
            "body", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "featured_image",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("published_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("reading_time_minutes", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name=op.f("ck_article_status")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_article_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("slug", name=op.f("uq_article_slug")),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(
            "ix_article_section_id_status_published_at_id", ["section_id", "status", "published_at", "id"], unique=False
        )
        batch_op.create_index("ix_article_status_published_at_id", ["status", "published_at", "id"], unique=False)
        batch_op.create_index("ix_article_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "article_author",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_author_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["author.id"], name=op.f("fk_article_author_author_id_author")),
        sa.PrimaryKeyConstraint("article_id", "author_id", name=op.f("pk_article_author")),
    )
    with op.batch_alter_table("article_author", schema=None) as batch_op:
        batch_op.create_index("ix_article_author_author_id_article_id", ["author_id", "article_id"], unique=False)

    op.create_table(
        "article_tag",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_tag_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_article_tag_tag_id_tag"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tag")),
    )
    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.create_index("ix_article_tag_tag_id_article_id", ["tag_id", "article_id"], unique=False)

    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("published_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_correction_article_id_article"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_article_id"), ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_article_id"))

    op.drop_table("correction")
    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_article_tag_tag_id_article_id")

    op.drop_table("article_tag")
    with op.batch_alter_table("article_author", schema=None) as batch_op:
        batch_op.drop_index("ix_article_author_author_id_article_id")

    op.drop_table("article_author")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_updated_at_id")
        batch_op.drop_index("ix_article_status_published_at_id")
        batch_op.drop_index("ix_article_section_id_status_published_at_id")

    op.drop_table("article")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_index("ix_tag_name_id")

    op.drop_table("tag")
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.drop_index("ix_section_name_id")

    op.drop_table("section")
    with op.batch_alter_table("author", schema=None) as batch_op:
        batch_op.drop_index("ix_author_name_id")

    op.drop_table("author")
    op.drop_table("content_version")
