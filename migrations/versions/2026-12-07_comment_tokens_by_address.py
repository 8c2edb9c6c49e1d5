"""The commenter tokens of an address's approved comments, from one index.

A comment is judged by the tokens its address's approved comments came with. Without an index
that starts with the address and the status, SQLite walked a whole index of comments for it; the
index on the token alone served no query.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_comment_commenter_hash", table_name="comment")
    op.create_index(
        "ix_comment_author_email_status_commenter_hash", "comment", ["author_email", "status", "commenter_hash"]
    )


def downgrade() -> None:
    op.drop_index("ix_comment_author_email_status_commenter_hash", table_name="comment")
    op.create_index("ix_comment_commenter_hash", "comment", ["commenter_hash"])
