"""Full-text search index: FTS5 on SQLite, a weighted tsvector with a GIN index on PostgreSQL.

The index lives outside the models' metadata (its shape differs per database); write paths keep
it in step with articles; `byline db upgrade` fills it for articles that already exist.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE article_search ("
            " article_id INTEGER PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE,"
            " title TEXT NOT NULL, subtitle TEXT NOT NULL, body TEXT NOT NULL, document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_search_document ON article_search USING GIN (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title, subtitle, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    op.execute("DROP TABLE article_search")
