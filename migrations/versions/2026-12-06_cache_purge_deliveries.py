"""Purges as deliveries: each `cache.purge` event goes to every cache the settings name (a Varnish
server, Fastly, Cloudflare), retried like a webhook until that cache has it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.add_column(sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.drop_constraint(op.f("ck_delivery_channel"), type_="check")
        batch_op.create_check_constraint("channel", "channel IN ('webhook', 'email', 'purge')")
        batch_op.create_index("ix_delivery_target_status", ["target", "status"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE channel = 'purge'")
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_index("ix_delivery_target_status")
        batch_op.drop_constraint(op.f("ck_delivery_channel"), type_="check")
        batch_op.create_check_constraint("channel", "channel IN ('webhook', 'email')")
        batch_op.drop_column("target")
