"""Wire shapes of the change feed."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ChangeEntry(BaseModel):
    kind: Literal["upsert", "tombstone"] = Field(
        description="`upsert`: readers can see an article under `slug`; fetch it from `url`. "
        "`tombstone`: nothing readers can see has this slug any more; drop your copy."
    )
    slug: str
    former_slug: str | None = Field(
        description="Upserts: the public slug the article had before it was renamed, if it was; "
        "a tombstone for that slug comes too."
    )
    changed_at: datetime = Field(
        description="When readers' view of this slug last changed: the write, or the article's go-live if later."
    )
    updated_at: datetime | None = Field(description="Upserts: the article's `updated_at`; null for tombstones.")
    url: str | None = Field(description="Upserts: the article in the API; null for tombstones.")


class ChangeMeta(BaseModel):
    next_cursor: str = Field(
        description="Pass as `since` for the next page, or to poll later: always given, even on an empty page."
    )
    has_more: bool = Field(description="More changes are waiting: ask again with `next_cursor` right away.")


class ChangeLinks(BaseModel):
    next: str = Field(description="Absolute URL of the feed from `next_cursor`.")


class ChangePage(BaseModel):
    data: list[ChangeEntry]
    meta: ChangeMeta
    links: ChangeLinks
