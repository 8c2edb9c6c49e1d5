"""The delivery worker: turns outbox events into webhook deliveries and reply emails, and sends them."""
