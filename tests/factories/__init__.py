"""Small helpers that save realistic rows through the services, with sensible defaults."""
