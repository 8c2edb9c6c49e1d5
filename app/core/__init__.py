"""Foundations every layer uses: settings, the clock, ids and slugs, URLs, hashing, problems, logs."""
