"""The durable event outbox: events written in the same transaction as the change they report."""
