"""Turning outbox events into deliveries: one per subscribed webhook endpoint, one per email,
one per cache a `cache.purge` event goes to."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.db.columns import core_table
from app.mail.sending import EMAIL_TOPICS
from app.outbox.models import Channel, Delivery, DeliveryStatus, OutboxEvent
from app.webhooks import service as webhooks

CACHE_PURGE = "cache.purge"
# Any constant: fan-outs on PostgreSQL take this lock so that deliveries are queued in commit order.
_FAN_OUT_LOCK = 0x6279_6C69


def order_key(payload: dict) -> str | None:
    """Events about one article reach each endpoint in the order they happened."""
    article_id = payload.get("article_id")
    return f"article:{article_id}" if article_id is not None else None


def _in_commit_order(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Two workers fanning out at once could otherwise queue a later event of an article before an earlier one.
        session.execute(select(func.pg_advisory_xact_lock(_FAN_OUT_LOCK)))


def fan_out(session: Session, *, now: datetime, send_email: bool, caches: Sequence[str] = (), limit: int = 200) -> int:
    """Queue the deliveries of up to `limit` new events and mark them processed, in one transaction.
    `cache.purge` goes to each of `caches` (their names); events nobody receives are only marked.
    Without SMTP, emails stay in the outbox, unprocessed, until a worker that can send them comes."""
    _in_commit_order(session)
    query = select(OutboxEvent).where(col(OutboxEvent.delivered_at).is_(None))
    if not send_email:
        query = query.where(col(OutboxEvent.topic).not_in(list(EMAIL_TOPICS)))
    events = list(session.exec(query.order_by(col(OutboxEvent.id)).limit(limit)).all())
    if not events:
        session.rollback()
        return 0
    subscribers = webhooks.subscribers(session)
    for event in events:
        receivers: list[tuple[Channel, int | None, str | None]] = [
            (Channel.webhook, endpoint_id, None) for endpoint_id in subscribers.receivers(event.topic, event.payload)
        ]
        if event.topic in EMAIL_TOPICS:
            receivers.append((Channel.email, None, None))
        if event.topic == CACHE_PURGE:
            receivers += [(Channel.purge, None, cache) for cache in caches]
        for channel, endpoint_id, target in receivers:
            session.add(
                Delivery(
                    channel=channel.value,
                    endpoint_id=endpoint_id,
                    target=target,
                    event_id=event.id,
                    event_type=event.topic,
                    order_key=order_key(event.payload),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        event.delivered_at = now
        session.add(event)
    session.commit()
    return len(events)


def fan_out_purges(session: Session, *, now: datetime, caches: Sequence[str], limit: int = 1000) -> int:
    """The purge loop's fan-out at every commit: new `cache.purge` events become one delivery per
    cache in three statements, nothing loaded, in one transaction; other events wait for `fan_out`.
    Returns how many events it took."""
    _in_commit_order(session)
    ids = list(
        session.exec(
            select(OutboxEvent.id)
            .where(col(OutboxEvent.delivered_at).is_(None), OutboxEvent.topic == CACHE_PURGE)
            .order_by(col(OutboxEvent.id))
            .limit(limit)
        ).all()
    )
    if not ids or not caches:
        session.rollback()
        return 0
    row = {
        "channel": Channel.purge.value,
        "endpoint_id": None,
        "event_type": CACHE_PURGE,
        "order_key": None,
        "status": DeliveryStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "locked_until": None,
        "created_at": now,
        "finished_at": None,
    }
    rows = [row | {"event_id": event_id, "target": cache} for event_id in ids for cache in caches]
    session.execute(insert(core_table(Delivery)), rows)
    session.execute(update(OutboxEvent).where(col(OutboxEvent.id).in_(ids)).values(delivered_at=now))
    session.commit()
    return len(ids)


def waiting_emails(session: Session) -> int:
    """Emails in the outbox that no worker could send yet."""
    query = select(func.count()).where(
        col(OutboxEvent.delivered_at).is_(None), col(OutboxEvent.topic).in_(list(EMAIL_TOPICS))
    )
    return session.exec(query).one()
