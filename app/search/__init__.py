"""Full-text search over articles (SQLite FTS5 and PostgreSQL tsvector) and its query language."""
