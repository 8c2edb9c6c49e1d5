"""Keeping what is derived from an article's text in step with it: search entries, term vectors, embeddings to make."""
