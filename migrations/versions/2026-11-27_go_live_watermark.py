"""Articles that go live by themselves (a scheduled time or an embargo's end) are announced to
webhooks then: a watermark of how far the worker has announced them (its first pass starts it).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.columns

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "go_live_watermark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announced_until", app.db.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("go_live_watermark")
