"""Writing events to the outbox, inside the caller's transaction."""

from datetime import datetime

from sqlmodel import Session, col, select

from app.outbox.models import OutboxEvent


def emit(session: Session, topic: str, payload: dict, *, now: datetime) -> OutboxEvent:
    """The event commits or rolls back with the change it reports: never lost, never invented."""
    event = OutboxEvent(topic=topic, payload=payload, created_at=now)
    session.add(event)
    return event


def pending_events(session: Session, *, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(col(OutboxEvent.delivered_at).is_(None))
    if topic is not None:
        query = query.where(OutboxEvent.topic == topic)
    return list(session.exec(query.order_by(col(OutboxEvent.id)).limit(limit)).all())
