"""Links sent by email (invitations, password resets), the second factor (a TOTP authenticator and
recovery codes), and reset requests counted apart from failed sign-ins.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 15:11:09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.columns import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_token_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    op.create_index(op.f("ix_account_token_user_id"), "account_token", ["user_id"])
    op.create_table(
        "second_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed_secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("enabled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_second_factor_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_second_factor")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_code_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"])
    # Rows before this revision were all failed sign-ins; the default fills them, then goes.
    with op.batch_alter_table("failed_sign_in") as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.String(length=20), nullable=False, server_default="sign_in"))
    with op.batch_alter_table("failed_sign_in") as batch_op:
        batch_op.alter_column("attempt", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("failed_sign_in") as batch_op:
        batch_op.drop_column("attempt")
    op.drop_table("recovery_code")
    op.drop_table("second_factor")
    op.drop_table("account_token")
