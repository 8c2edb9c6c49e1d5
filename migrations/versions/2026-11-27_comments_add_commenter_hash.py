"""Comments remember a keyed digest of the commenter token they came with: trust for returning
commenters rests on the token, which only they hold, not on an email address anyone can type.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commenter_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_comment_commenter_hash", ["commenter_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_commenter_hash")
        batch_op.drop_column("commenter_hash")
