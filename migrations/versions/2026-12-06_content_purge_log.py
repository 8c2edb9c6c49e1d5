"""The purge log: the surrogate keys each content version purged, so a worker's response cache ends
only the answers that show them instead of everything at every write (app.caching.content_version).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "content_purge",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_content_purge")),
    )


def downgrade() -> None:
    op.drop_table("content_purge")
