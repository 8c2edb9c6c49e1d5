"""The JSON Feed 1.1 document (https://jsonfeed.org/version/1.1), as this API writes it."""

from pydantic import BaseModel, Field


class JsonFeedAuthor(BaseModel):
    name: str


class JsonFeedItem(BaseModel):
    id: str = Field(description="A URN that survives slug changes.")
    url: str
    title: str
    summary: str
    content_html: str = Field(description="The sanitised body.")
    date_published: str | None = Field(description="RFC 3339.")
    date_modified: str = Field(description="RFC 3339.")
    authors: list[JsonFeedAuthor] = Field(description="Byline order.")
    tags: list[str] = Field(description="The section's name first, then the tags'.")
    image: str | None = Field(None, description="The featured image.")


class JsonFeed(BaseModel):
    """JSON Feed 1.1."""

    version: str = "https://jsonfeed.org/version/1.1"
    title: str
    home_page_url: str
    feed_url: str
    language: str
    items: list[JsonFeedItem]
