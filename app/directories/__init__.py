"""Directories of authors, sections and tags: one description per kind, its queries, writes and routes."""
