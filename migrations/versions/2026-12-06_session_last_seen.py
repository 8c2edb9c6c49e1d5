"""When each browser session was last used, for the idle timeout.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 16:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.columns import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=True))
    # A session open before the upgrade counts as used when it began.
    op.execute("UPDATE user_session SET last_seen_at = created_at")
    with op.batch_alter_table("user_session") as batch:
        batch.alter_column("last_seen_at", existing_type=UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("last_seen_at")
