"""The delivery queue: workers claim due deliveries under a lease, and record each attempt's outcome.

Several workers may run at once. A claim is a short transaction that sets `locked_until` on rows that
are due and not held; the UPDATE checks the lease again, so of two workers that picked the same row
only one gets it (SQLite runs one writer at a time; PostgreSQL's `FOR UPDATE SKIP LOCKED` keeps them
from even waiting on each other). A worker that dies simply lets its lease run out.
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.outbox.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent

FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
_jitter = random.SystemRandom()


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds until `lease`, with the event it carries."""

    id: int
    channel: str
    endpoint_id: int | None
    event_id: int
    event_type: str
    payload: dict
    occurred_at: datetime
    attempts: int
    created_at: datetime
    lease: datetime


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    # Retrying cannot help (an address the mail server refuses for good): give up now.
    permanent: bool = False


def elapsed_ms(started: float) -> int:
    """Milliseconds since `started`, a time.monotonic() reading: how long an attempt took."""
    return round((time.monotonic() - started) * 1000)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff from FIRST_RETRY, capped at LONGEST_WAIT, with jitter so that the deliveries
    that failed together (a receiver that was down) do not all come back in the same second."""
    ceiling = min(LONGEST_WAIT, FIRST_RETRY * 2 ** min(attempts - 1, 20))
    return timedelta(seconds=ceiling.total_seconds() * _jitter.uniform(0.5, 1.0))


def claim(session: Session, *, now: datetime, lease_for: timedelta, limit: int, channels: list[str]) -> list[Claimed]:
    """Take up to `limit` due deliveries; one of an article's events waits while an earlier one is pending
    for the same endpoint (in backoff or held by a worker), so each endpoint sees them in order."""
    earlier = aliased(Delivery)
    waits_for_earlier = exists().where(
        col(earlier.channel) == Delivery.channel,
        col(earlier.endpoint_id) == Delivery.endpoint_id,
        col(earlier.order_key) == Delivery.order_key,
        col(earlier.event_id) < Delivery.event_id,
        col(earlier.status) == DeliveryStatus.pending.value,
    )
    free = or_(col(Delivery.locked_until).is_(None), col(Delivery.locked_until) <= now)
    due = (
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.pending.value, Delivery.next_attempt_at <= now, free)
        .where(col(Delivery.channel).in_(channels))
        .where(~waits_for_earlier)
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    ids = list(session.exec(due).all())
    if not ids:
        session.rollback()
        return []
    lease = now + lease_for
    taken = session.execute(
        update(Delivery).where(col(Delivery.id).in_(ids), free).values(locked_until=lease).returning(col(Delivery.id))
    )
    taken_ids = list(taken.scalars().all())
    rows = session.exec(
        select(Delivery, OutboxEvent)
        .join(OutboxEvent, col(OutboxEvent.id) == Delivery.event_id)
        .where(col(Delivery.id).in_(taken_ids))
        .order_by(col(Delivery.id))
    ).all()
    claimed = [
        Claimed(
            id=delivery.id,
            channel=delivery.channel,
            endpoint_id=delivery.endpoint_id,
            event_id=event.id,
            event_type=delivery.event_type,
            payload=event.payload,
            occurred_at=event.created_at,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            lease=lease,
        )
        for delivery, event in rows
    ]
    session.commit()
    return claimed


def record(session: Session, claimed: Claimed, outcome: Outcome, *, now: datetime, retry_for: timedelta) -> str:
    """Log the attempt and settle the delivery: done, retried later, or given up once `retry_for` has
    passed since it was queued. Returns the attempt's outcome: delivered, retrying or failed."""
    number = claimed.attempts + 1
    changes: dict[str, object] = {"attempts": number, "locked_until": None}
    if outcome.delivered:
        result = "delivered"
        changes |= {"status": DeliveryStatus.succeeded.value, "finished_at": now}
    elif outcome.permanent or now >= claimed.created_at + retry_for:
        result = "failed"
        changes |= {"status": DeliveryStatus.failed.value, "finished_at": now}
    else:
        result = "retrying"
        changes["next_attempt_at"] = now + retry_delay(number)
    # Only while the lease is ours: a worker that outlived its lease must not undo another's newer outcome.
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == claimed.id, col(Delivery.locked_until) == claimed.lease)
        .values(**changes)
    )
    if session.get(Delivery, claimed.id) is None:
        # Its endpoint was removed meanwhile, and with it the log this attempt would go to.
        session.commit()
        return result
    session.add(
        DeliveryAttempt(
            delivery_id=claimed.id,
            endpoint_id=claimed.endpoint_id,
            event_id=claimed.event_id,
            event_type=claimed.event_type,
            number=number,
            attempted_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error[:500] if outcome.error else None,
            outcome=result,
        )
    )
    session.commit()
    return result
