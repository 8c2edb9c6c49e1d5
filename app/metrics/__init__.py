"""Prometheus metrics: requests by route template and status, latency, content-cache hits, database
connections in use, the outbox backlog and the moderation queue."""
