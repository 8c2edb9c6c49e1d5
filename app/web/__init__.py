"""HTTP around the domains: app state, pagination, fields, conditional requests, OpenAPI and docs, health."""
