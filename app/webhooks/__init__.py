"""Webhooks: endpoints subscribed to events, signed as the Standard Webhooks specification says."""
