"""Full-text search over articles, on SQLite FTS5 and PostgreSQL tsvector."""
