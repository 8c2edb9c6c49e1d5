"""The outbox table: one row per event, delivered later by whoever consumes it."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.columns import JSONDocument, Table, UTCDateTime, created_at_field


class OutboxEvent(Table, table=True):
    __tablename__ = "outbox_event"
    # Consumers take undelivered events oldest first.
    __table_args__ = (Index("ix_outbox_event_delivered_at_id", "delivered_at", "id"),)

    id: int = Field(default=None, primary_key=True)
    topic: str = Field(max_length=100)
    payload: dict = Field(default_factory=dict, sa_type=JSONDocument, nullable=False)
    created_at: datetime = created_at_field()
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
