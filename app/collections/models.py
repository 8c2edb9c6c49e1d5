"""Collection tables: the collection, its current order, the orders it had, and orders set for later."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, true
from sqlmodel import Field, col

from app.caching.releases import Releases
from app.db.columns import JSONDocument, Table, UTCDateTime

# An order as revisions and schedules store it: [{"article_id": 1, "label": "Live"}, ...].
StoredOrder = list[dict]


def _collection_id(*, primary_key: bool = False) -> int:
    column = Column(Integer, ForeignKey("collection.id", ondelete="CASCADE"), primary_key=primary_key, nullable=False)
    return Field(default=None, sa_column=column)  # type: ignore[no-any-return]


class Collection(Table, table=True):
    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
    title: str = Field(max_length=200)
    max_items: int
    # Fill the rest with this section's newest visible articles.
    fallback_section_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("section.id", ondelete="SET NULL"), nullable=True)
    )
    # When the current order (the items) was set; a scheduled order due after it replaces it.
    ordered_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class CollectionItem(Table, table=True):
    __tablename__ = "collection_item"

    collection_id: int = _collection_id(primary_key=True)
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    label: str | None = Field(default=None, max_length=60)


class CollectionRevision(Table, table=True):
    """One order a collection was given: who, when, and the order (scheduled ones say from when)."""

    __tablename__ = "collection_revision"
    __table_args__ = (Index("ix_collection_revision_collection_id_id", "collection_id", "id"),)

    id: int = Field(default=None, primary_key=True)
    collection_id: int = _collection_id()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=200)
    apply_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    items: StoredOrder = Field(sa_type=JSONDocument, nullable=False)


class CollectionSchedule(Table, table=True):
    """An order that replaces the collection's at `apply_at`, read as current from then on: no job applies it."""

    __tablename__ = "collection_schedule"
    __table_args__ = (Index("ix_collection_schedule_collection_id_apply_at", "collection_id", "apply_at"),)

    id: int = Field(default=None, primary_key=True)
    collection_id: int = _collection_id()
    apply_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    items: StoredOrder = Field(sa_type=JSONDocument, nullable=False)


# A scheduled order shows by itself at its time: caches end their entries then (app.caching.releases).
SCHEDULED_ORDERS = Releases.of(true(), col(CollectionSchedule.apply_at))
