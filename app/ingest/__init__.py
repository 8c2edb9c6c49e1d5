"""Ingestion: archives and feeds in (bulk upserts, importers), and the archive out (export)."""
