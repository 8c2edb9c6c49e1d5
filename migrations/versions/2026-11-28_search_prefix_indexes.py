"""On SQLite, the full-text index also keeps every word's first 3, 4 and 5 letters, so a prefix
search (`mosc*`) reads one list of articles instead of merging one per word sharing the prefix.
FTS5 fixes its options when the table is made: the index is rebuilt from its own copy of the text.
PostgreSQL's GIN index matches prefixes as they are and is unchanged.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "title, subtitle, body, tokenize = 'porter unicode61 remove_diacritics 2'"


def _rebuild_article_search(options: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE VIRTUAL TABLE article_search_rebuilt USING fts5({_COLUMNS}{options})")
    op.execute(
        "INSERT INTO article_search_rebuilt (rowid, title, subtitle, body)"
        " SELECT rowid, title, subtitle, body FROM article_search"
    )
    op.execute("DROP TABLE article_search")
    op.execute("ALTER TABLE article_search_rebuilt RENAME TO article_search")


def upgrade() -> None:
    _rebuild_article_search(", prefix = '3 4 5'")


def downgrade() -> None:
    _rebuild_article_search("")
