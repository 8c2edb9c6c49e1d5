"""The change feed: what readers can see, and what they no longer can, since a client's last sync."""
