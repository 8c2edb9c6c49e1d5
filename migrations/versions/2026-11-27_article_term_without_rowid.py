"""On SQLite, term postings are stored in their primary key's B-tree (WITHOUT ROWID): an import
writes two B-trees per posting instead of three. PostgreSQL has no such choice and is unchanged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_article_term(*, with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The table is copied into its new form with its keys and index.
    with op.batch_alter_table("article_term", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}):
        pass


def upgrade() -> None:
    _rebuild_article_term(with_rowid=False)


def downgrade() -> None:
    _rebuild_article_term(with_rowid=True)
