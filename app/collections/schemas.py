"""Wire shapes for collections: the order editors send, and the collection readers get."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.articles.schemas import ArticleSummary, UTCTime
from app.caching import keys
from app.core.slugs import SlugText

COLLECTIONS = "collections"
MAX_ITEMS_LIMIT = 100


def key(slug: str) -> str:
    """The surrogate key of every answer that shows the collection (app.caching.keys)."""
    return f"collection:{slug}"


class ItemIn(BaseModel):
    article: SlugText = Field(description="The article's slug.")
    label: str | None = Field(None, min_length=1, max_length=60, description="A kicker shown above the story: 'Live'.")


class CollectionWrite(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    items: list[ItemIn] = Field(
        max_length=MAX_ITEMS_LIMIT,
        description="In the order readers see them. Picks past `max_items` are spares: they move up when one "
        "before them is hidden.",
    )
    max_items: int = Field(10, ge=1, le=MAX_ITEMS_LIMIT, description="Readers see at most this many.")
    fallback_section: SlugText | None = Field(
        None, description="Fill the rest, up to `max_items`, with this section's newest articles."
    )
    apply_at: UTCTime | None = Field(
        None, description="Set the order from this time on instead of now (title and settings change now)."
    )


class CollectionChange(BaseModel):
    """A new slug or title; the order and its settings are set with PUT."""

    slug: SlugText | None = Field(None, description="The new slug; sections that name the collection follow it.")
    title: str | None = Field(None, min_length=1, max_length=200)


class Entry(BaseModel):
    label: str | None
    article: ArticleSummary
    picked: bool = Field(description="False where the section's newest filled a free slot.")


class ScheduledOrder(BaseModel):
    apply_at: datetime
    items: list[ItemIn]


class CollectionSummary(BaseModel):
    slug: str
    title: str
    max_items: int
    fallback_section: str | None
    updated_at: datetime

    def surrogate_keys(self) -> set[str]:
        return {key(self.slug)}


class CollectionPublic(CollectionSummary):
    items: list[Entry]
    scheduled: list[ScheduledOrder] | None = Field(
        None, description="Orders set for later; only for keys with `content:preview`."
    )

    def surrogate_keys(self) -> set[str]:
        # A hidden pick going live or a shown one hidden changes it too: those writes purge `articles`.
        shown = {key(self.slug), keys.ARTICLES}
        for entry in self.items:
            shown |= entry.article.surrogate_keys()
        return shown


class CollectionRevisionPublic(BaseModel):
    id: int
    created_at: datetime
    actor: str
    apply_at: datetime | None
    items: list[ItemIn]
