"""Webhook routes for administrators: endpoints, a test ping, and each endpoint's deliveries log."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.auth.dependencies import AdminKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.ids import RowIdPath
from app.outbox.models import DeliveryAttempt
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep
from app.webhooks import service
from app.webhooks.errors import WebhookNotFound
from app.webhooks.models import WebhookEndpoint
from app.webhooks.schemas import (
    DeliveryAttemptPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookTestQueued,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

WebhookId = Annotated[RowIdPath, Path(description="The webhook endpoint's id.")]
ADMIN = (NotAuthenticated, MissingScope, InvalidParameter)


def _public(endpoint: WebhookEndpoint) -> WebhookPublic:
    return WebhookPublic.model_validate(endpoint, from_attributes=True)


def _attempt(attempt: DeliveryAttempt) -> DeliveryAttemptPublic:
    return DeliveryAttemptPublic.model_validate(
        attempt.model_dump() | {"attempt": attempt.number}, from_attributes=False
    )


@router.get(
    "",
    operation_id="webhooks-list",
    summary="List webhook endpoints",
    response_model=Page[WebhookPublic],
    responses=problems(*ADMIN),
)
def list_webhooks(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    key: AdminKey,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    rows, total, next_cursor = service.list_endpoints(session, limit=limit, cursor=cursor)
    return page_response(request, response, [_public(e) for e in rows], total=total, next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    operation_id="webhooks-create",
    summary="Register a webhook endpoint",
    response_model=WebhookCreated,
    responses=problems(*ADMIN, InvalidField),
)
def create_webhook(
    body: WebhookCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: AdminKey
) -> WebhookCreated:
    """The answer holds the endpoint's signing secret, the only time it is shown: every request
    to the endpoint carries `webhook-id`, `webhook-timestamp` and `webhook-signature` headers made
    with it, as the Standard Webhooks specification describes. The URL's host must be, and resolve
    only to, public addresses (loopback, private, link-local and the like are refused with 422),
    unless `BYLINE_ALLOWED_INTERNAL_HOSTS` names it; each delivery checks again."""
    endpoint = service.add_endpoint(session, body, now=clock(), destinations=settings.destinations)
    return WebhookCreated.model_validate(endpoint, from_attributes=True)


@router.get(
    "/{webhook_id}",
    operation_id="webhooks-get",
    summary="Get a webhook endpoint",
    response_model=WebhookPublic,
    responses=problems(*ADMIN, WebhookNotFound),
)
def get_webhook(webhook_id: WebhookId, session: ReadSessionDep, key: AdminKey) -> WebhookPublic:
    return _public(service.get_endpoint(session, webhook_id))


@router.patch(
    "/{webhook_id}",
    operation_id="webhooks-update",
    summary="Change a webhook endpoint's URL, events or description",
    response_model=WebhookPublic,
    responses=problems(*ADMIN, WebhookNotFound, InvalidField),
)
def update_webhook(
    webhook_id: WebhookId, body: WebhookUpdate, session: SessionDep, settings: SettingsDep, key: AdminKey
) -> WebhookPublic:
    """Only the fields sent change. A new URL is checked as at creation; the signing secret stays."""
    return _public(service.update_endpoint(session, webhook_id, body, destinations=settings.destinations))


@router.delete(
    "/{webhook_id}",
    status_code=204,
    operation_id="webhooks-delete",
    summary="Remove a webhook endpoint and its pending deliveries",
    responses=problems(*ADMIN, WebhookNotFound),
)
def delete_webhook(webhook_id: WebhookId, session: SessionDep, key: AdminKey) -> Response:
    service.remove_endpoint(session, webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/test",
    status_code=202,
    operation_id="webhooks-test",
    summary="Send a webhook.ping event to an endpoint",
    response_model=WebhookTestQueued,
    responses=problems(*ADMIN, WebhookNotFound),
)
def test_webhook(webhook_id: WebhookId, session: SessionDep, clock: ClockDep, key: AdminKey) -> WebhookTestQueued:
    """Queued like any event: the worker delivers it, and its attempts show in the deliveries log."""
    return WebhookTestQueued(event_id=service.queue_ping(session, webhook_id, now=clock()))


@router.get(
    "/{webhook_id}/deliveries",
    operation_id="webhooks-deliveries",
    summary="List an endpoint's delivery attempts, newest first",
    response_model=Page[DeliveryAttemptPublic],
    responses=problems(*ADMIN, WebhookNotFound),
)
def list_deliveries(
    request: Request,
    response: Response,
    webhook_id: WebhookId,
    session: ReadSessionDep,
    key: AdminKey,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    rows, total, next_cursor = service.list_attempts(session, webhook_id, limit=limit, cursor=cursor)
    return page_response(request, response, [_attempt(a) for a in rows], total=total, next_cursor=next_cursor)
