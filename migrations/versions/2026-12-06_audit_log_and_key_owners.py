"""The audit log; API keys that belong to a person; revisions that name the person who made them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.columns import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_kind", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=300), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_at_id", "audit_entry", ["at", "id"])
    op.create_index("ix_audit_entry_actor", "audit_entry", ["actor_id", "at", "id"])
    op.create_index("ix_audit_entry_action", "audit_entry", ["action", "at", "id"])
    op.create_index("ix_audit_entry_target", "audit_entry", ["target_kind", "target_id", "at", "id"])
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_api_key_owner_id_users"), "users", ["owner_id"], ["id"])
        batch.create_index(op.f("ix_api_key_owner_id"), ["owner_id"])
    with op.batch_alter_table("article_revision") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_article_revision_user_id_users"), "users", ["user_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("article_revision") as batch:
        batch.drop_constraint(op.f("fk_article_revision_user_id_users"), type_="foreignkey")
        batch.drop_column("user_id")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_index(op.f("ix_api_key_owner_id"))
        batch.drop_constraint(op.f("fk_api_key_owner_id_users"), type_="foreignkey")
        batch.drop_column("owner_id")
    op.drop_table("audit_entry")
