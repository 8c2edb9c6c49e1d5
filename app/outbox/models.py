"""The outbox table (one row per event) and the delivery queue the worker fans events out into."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer
from sqlmodel import Field

from app.db.columns import JSONDocument, Table, UTCDateTime, created_at_field


class OutboxEvent(Table, table=True):
    __tablename__ = "outbox_event"
    # Consumers take undelivered events oldest first.
    __table_args__ = (Index("ix_outbox_event_delivered_at_id", "delivered_at", "id"),)

    id: int = Field(default=None, primary_key=True)
    topic: str = Field(max_length=100)
    payload: dict = Field(default_factory=dict, sa_type=JSONDocument, nullable=False)
    created_at: datetime = created_at_field()
    # When the worker fanned the event out into deliveries (or found it needs none).
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GoLiveWatermark(Table, table=True):
    """Until when articles that went live by themselves (a scheduled time or an embargo's end
    reached) have been announced in the outbox: one row."""

    __tablename__ = "go_live_watermark"

    id: int = Field(default=1, primary_key=True)
    announced_until: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Channel(StrEnum):
    webhook = "webhook"
    email = "email"
    # A `cache.purge` event to one cache (a Varnish server, Fastly, Cloudflare), named in `target`.
    purge = "purge"


class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class Delivery(Table, table=True):
    """One event to one receiver (a webhook endpoint, an email's recipient, a cache to purge), until it
    succeeds or is given up."""

    __table_args__ = (
        CheckConstraint(f"status IN {tuple(s.value for s in DeliveryStatus)}", name="status"),
        CheckConstraint(f"channel IN {tuple(c.value for c in Channel)}", name="channel"),
        # Workers claim due deliveries, soonest first.
        Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        # "Is an earlier event of this article still waiting for this endpoint?"
        Index("ix_delivery_endpoint_id_order_key_event_id", "endpoint_id", "order_key", "event_id"),
        # A cache's waiting purges, taken together.
        Index("ix_delivery_target_status", "target", "status"),
    )

    id: int = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    endpoint_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=True)
    )
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("outbox_event.id", ondelete="CASCADE"), nullable=False))
    # The cache a purge goes to (`varnish http://10.0.0.5:6081/`, `fastly`, `cloudflare`); none for other channels.
    target: str | None = Field(default=None, max_length=300)
    event_type: str = Field(max_length=100)
    # Events sharing a key (one article's) reach each endpoint in the order they happened.
    order_key: str | None = Field(default=None, max_length=100)
    status: str = Field(default=DeliveryStatus.pending.value, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # A worker's lease: nobody else takes the delivery before then, and anyone may after (it died).
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(Table, table=True):
    """What happened on one try: the deliveries log."""

    __tablename__ = "delivery_attempt"
    # An endpoint's log, newest first.
    __table_args__ = (Index("ix_delivery_attempt_endpoint_id_attempted_at_id", "endpoint_id", "attempted_at", "id"),)

    id: int = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    endpoint_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=True)
    )
    event_id: int
    event_type: str = Field(max_length=100)
    number: int
    attempted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status_code: int | None = None
    duration_ms: int
    error: str | None = Field(default=None, max_length=500)
    # delivered, retrying (another attempt is scheduled) or failed (given up).
    outcome: str = Field(max_length=20)
