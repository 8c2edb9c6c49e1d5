"""The optional semantic signal of related articles: sentence embeddings, their backfill and their index."""
