"""Webhook endpoints: registering, removing and pinging them, who receives an event, and the attempts log."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, or_, select

from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidField
from app.core.outbound import DestinationRefused, Destinations
from app.outbox import service as outbox
from app.outbox.models import Delivery, DeliveryAttempt
from app.webhooks import events, signing
from app.webhooks.errors import WebhookNotFound
from app.webhooks.models import WebhookEndpoint
from app.webhooks.schemas import WebhookCreate, WebhookUpdate


def _check_receiver(url: str, destinations: Destinations) -> None:
    """Refused when the URL's host is, or resolves to, an address that is not public; each delivery checks again."""
    try:
        destinations.check(url)
    except DestinationRefused as refused:
        raise InvalidField("#/url", str(refused)) from None


def add_endpoint(
    session: Session, data: WebhookCreate, *, now: datetime, destinations: Destinations
) -> WebhookEndpoint:
    _check_receiver(str(data.url), destinations)
    endpoint = WebhookEndpoint(
        url=str(data.url),
        events=[event.value for event in data.events],
        description=data.description,
        secret=signing.new_secret(),
        created_at=now,
    )
    session.add(endpoint)
    session.commit()
    return endpoint


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise WebhookNotFound(f"No webhook endpoint has the id {endpoint_id}.", id=endpoint_id)
    return endpoint


def list_endpoints(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[list[WebhookEndpoint], int, str | None]:
    total = session.exec(select(func.count()).select_from(WebhookEndpoint)).one()
    query = select(WebhookEndpoint)
    if cursor:
        _, after_id = decode_cursor(cursor, int)
        query = query.where(WebhookEndpoint.id > after_id)
    rows = list(session.exec(query.order_by(col(WebhookEndpoint.id)).limit(limit + 1)).all())
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor


def update_endpoint(
    session: Session, endpoint_id: int, data: WebhookUpdate, *, destinations: Destinations
) -> WebhookEndpoint:
    """Deliveries already queued go to the new URL; the signing secret stays."""
    endpoint = get_endpoint(session, endpoint_id)
    if data.url is not None:
        _check_receiver(str(data.url), destinations)
        endpoint.url = str(data.url)
    if data.events is not None:
        endpoint.events = [event.value for event in data.events]
    if data.description is not None:
        endpoint.description = data.description
    session.add(endpoint)
    session.commit()
    return endpoint


def remove_endpoint(session: Session, endpoint_id: int) -> None:
    """The endpoint goes with its queued deliveries and its log; nothing more is sent to it."""
    endpoint = get_endpoint(session, endpoint_id)
    session.execute(delete(DeliveryAttempt).where(col(DeliveryAttempt.endpoint_id) == endpoint_id))
    session.execute(delete(Delivery).where(col(Delivery.endpoint_id) == endpoint_id))
    # A row's delete, not a statement's, so the audit log sees it.
    session.delete(endpoint)
    session.commit()


def queue_ping(session: Session, endpoint_id: int, *, now: datetime) -> int:
    """A `webhook.ping` event for this endpoint alone, delivered like any other; returns its event id."""
    get_endpoint(session, endpoint_id)
    event_id = outbox.emit(session, events.PING, {"endpoint_id": endpoint_id}, now=now)
    session.commit()
    return event_id


@dataclass(frozen=True)
class Subscribers:
    by_event: dict[str, list[int]]
    existing: set[int]

    def receivers(self, topic: str, payload: dict) -> Iterable[int]:
        if topic == events.PING:
            endpoint_id = payload.get("endpoint_id")
            return [endpoint_id] if endpoint_id in self.existing else []
        return self.by_event.get(topic, [])


def subscribers(session: Session) -> Subscribers:
    """Who receives what, read once per batch of events: endpoints are few."""
    by_event: dict[str, list[int]] = {}
    existing = set()
    for endpoint_id, subscribed in session.exec(select(WebhookEndpoint.id, WebhookEndpoint.events)).all():
        existing.add(endpoint_id)
        for event in subscribed:
            by_event.setdefault(event, []).append(endpoint_id)
    return Subscribers(by_event=by_event, existing=existing)


def list_attempts(
    session: Session, endpoint_id: int, *, limit: int, cursor: str | None
) -> tuple[list[DeliveryAttempt], int, str | None]:
    """The endpoint's delivery attempts, newest first."""
    get_endpoint(session, endpoint_id)
    mine = col(DeliveryAttempt.endpoint_id) == endpoint_id
    total = session.exec(select(func.count()).select_from(DeliveryAttempt).where(mine)).one()
    query = select(DeliveryAttempt).where(mine)
    if cursor:
        after, after_id = decode_cursor(cursor, datetime)
        query = query.where(
            DeliveryAttempt.attempted_at <= after,
            or_(DeliveryAttempt.attempted_at < after, DeliveryAttempt.id < after_id),
        )
    order = (col(DeliveryAttempt.attempted_at).desc(), col(DeliveryAttempt.id).desc())
    rows = list(session.exec(query.order_by(*order).limit(limit + 1)).all())
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].attempted_at, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor
