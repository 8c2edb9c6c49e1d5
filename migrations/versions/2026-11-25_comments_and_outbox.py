"""Comments with moderation state and privacy digests; the durable event outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:34:51.221894
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.db.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", app.db.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_event_delivered_at_id", ["delivered_at", "id"], unique=False)

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("author_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("author_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("content_html", sqlmodel.sql.sqltypes.AutoString(length=100000), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "reasons", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("ip_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("network_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("notify_replies", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'spam', 'trash')", name=op.f("ck_comment_status")),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_comment_article_id_article"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comment.id"], name=op.f("fk_comment_parent_id_comment"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_article_id_status_parent_id_created_at",
            ["article_id", "status", "parent_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_comment_author_email_created_at", ["author_email", "created_at"], unique=False)
        batch_op.create_index("ix_comment_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_comment_network_hash_created_at", ["network_hash", "created_at"], unique=False)
        batch_op.create_index("ix_comment_root_id", ["root_id"], unique=False)
        batch_op.create_index("ix_comment_status_created_at_id", ["status", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_status_created_at_id")
        batch_op.drop_index("ix_comment_root_id")
        batch_op.drop_index("ix_comment_network_hash_created_at")
        batch_op.drop_index("ix_comment_content_hash")
        batch_op.drop_index("ix_comment_author_email_created_at")
        batch_op.drop_index("ix_comment_article_id_status_parent_id_created_at")

    op.drop_table("comment")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_delivered_at_id")

    op.drop_table("outbox_event")
