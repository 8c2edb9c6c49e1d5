"""What an API key may do; without the key table, so `byline serve` can name a scope cheaply."""

from enum import StrEnum


class Scope(StrEnum):
    content_write = "content:write"
    content_preview = "content:preview"
    content_embargo = "content:embargo"
    comments_moderate = "comments:moderate"
    media_write = "media:write"
    admin = "admin"
