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

from sqlalchemy import delete, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.outbox.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent

FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
# A cache that comes back should not keep serving what changed for long: purges back off less.
LONGEST_PURGE_WAIT = timedelta(minutes=2)
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


def retry_delay(attempts: int, *, longest: timedelta = LONGEST_WAIT) -> timedelta:
    """Exponential backoff from FIRST_RETRY, capped at `longest`, with jitter so that the deliveries
    that failed together (a receiver that was down) do not all come back in the same second."""
    ceiling = min(longest, FIRST_RETRY * 2 ** min(attempts - 1, 20))
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


@dataclass(frozen=True)
class ClaimedPurges:
    """The waiting purges of one cache that a worker holds until `lease`, their keys merged."""

    target: str
    ids: list[int]
    keys: list[str]
    # The most attempts any of them has had: the backoff the batch takes if this one fails too.
    attempts: int
    oldest: datetime
    lease: datetime


def claim_purges(
    session: Session, *, target: str, now: datetime, lease_for: timedelta, limit: int
) -> ClaimedPurges | None:
    """Once any purge waiting for `target` is due, take up to `limit` of its waiting purges, due or
    in backoff: the request that sends the due keys carries the others at no cost, and a cache back
    from an outage gets everything it missed at once. None when nothing is due or free."""
    free = or_(col(Delivery.locked_until).is_(None), col(Delivery.locked_until) <= now)
    waiting = (
        Delivery.channel == Channel.purge.value,
        Delivery.target == target,
        Delivery.status == DeliveryStatus.pending.value,
        free,
    )
    due = session.exec(select(Delivery.id).where(*waiting, Delivery.next_attempt_at <= now).limit(1)).first()
    if due is None:
        session.rollback()
        return None
    ids = list(
        session.exec(
            select(Delivery.id)
            .where(*waiting)
            .order_by(col(Delivery.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=Delivery)
        ).all()
    )
    lease = now + lease_for
    taken = session.execute(
        update(Delivery).where(col(Delivery.id).in_(ids), free).values(locked_until=lease).returning(col(Delivery.id))
    )
    taken_ids = sorted(taken.scalars().all())
    rows = session.exec(
        select(Delivery.attempts, OutboxEvent.payload, OutboxEvent.created_at)
        .join(OutboxEvent, col(OutboxEvent.id) == Delivery.event_id)
        .where(col(Delivery.id).in_(taken_ids))
    ).all()
    session.commit()
    if not rows:
        return None
    keys = sorted({key for _, payload, _ in rows for key in payload.get("keys", ())})
    return ClaimedPurges(
        target=target,
        ids=taken_ids,
        keys=keys,
        attempts=max(attempts for attempts, _, _ in rows),
        oldest=min(created_at for _, _, created_at in rows),
        lease=lease,
    )


def record_purges(session: Session, claimed: ClaimedPurges, *, delivered: bool, now: datetime) -> str:
    """Settle a claimed batch: delivered purges are deleted (the outbox keeps the event); failed ones
    wait their backoff, all together, and are never given up: a cache must hear of every change.
    Only rows whose lease is still ours are touched. Returns delivered or retrying."""
    ours = (col(Delivery.id).in_(claimed.ids), col(Delivery.locked_until) == claimed.lease)
    if delivered:
        session.execute(delete(Delivery).where(*ours))
        result = "delivered"
    else:
        session.execute(
            update(Delivery)
            .where(*ours)
            .values(
                attempts=Delivery.attempts + 1,
                locked_until=None,
                next_attempt_at=now + retry_delay(claimed.attempts + 1, longest=LONGEST_PURGE_WAIT),
            )
        )
        result = "retrying"
    session.commit()
    return result


def waiting_purges(session: Session) -> dict[str, int]:
    """Purges not yet delivered, per cache."""
    query = (
        select(Delivery.target, func.count())
        .where(Delivery.channel == Channel.purge.value, Delivery.status == DeliveryStatus.pending.value)
        .group_by(col(Delivery.target))
    )
    return {str(target): count for target, count in session.exec(query).all()}
