"""API keys through the API, for administrators: create, list, rotate and revoke."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.auth import service
from app.auth.dependencies import PRIVATE_ANSWER, AdminKey
from app.auth.errors import ADMIN_REFUSALS, KeyNameTaken, KeyNotFound, KeyRevoked
from app.auth.schemas import KeyCreate, KeyCreated, KeyPublic
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.ids import RowIdPath
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])

KeyId = Annotated[RowIdPath, Path(description="The key's id.")]


@router.get(
    "",
    operation_id="keys-list",
    summary="List API keys",
    response_model=Page[KeyPublic],
    responses=problems(*ADMIN_REFUSALS, InvalidParameter),
)
def list_keys(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    key: AdminKey,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    response.headers.update(PRIVATE_ANSWER)
    rows, total, next_cursor = service.keys_page(session, cursor=cursor, limit=limit)
    return page_response(request, response, [KeyPublic.of(k) for k in rows], total=total, next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    operation_id="keys-create",
    summary="Create an API key",
    response_model=KeyCreated,
    responses=problems(*ADMIN_REFUSALS, KeyNameTaken, InvalidField),
)
def create_key(
    response: Response, body: KeyCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: AdminKey
) -> KeyCreated:
    """The answer holds the key itself, this once. With `owner_id` the key acts for that person and
    never does more than their role allows; it stops working when their account is deactivated."""
    created, plain = service.issue_key(
        session,
        secret_key=settings.secret_key.get_secret_value(),
        name=body.name,
        scopes=body.scopes,
        now=clock(),
        expires_at=body.expires_at,
        owner_id=body.owner_id,
    )
    response.headers.update(PRIVATE_ANSWER)
    return KeyCreated(**KeyPublic.of(created).model_dump(), key=plain)


@router.post(
    "/{key_id}/rotate",
    operation_id="keys-rotate",
    summary="Give a key a new value",
    response_model=KeyCreated,
    responses=problems(*ADMIN_REFUSALS, KeyNotFound, KeyRevoked),
)
def rotate_key(
    response: Response, key_id: KeyId, session: SessionDep, settings: SettingsDep, key: AdminKey
) -> KeyCreated:
    """The old value fails from this moment; the answer holds the new one, this once."""
    rotated, plain = service.rotate_key(session, key_id, secret_key=settings.secret_key.get_secret_value())
    response.headers.update(PRIVATE_ANSWER)
    return KeyCreated(**KeyPublic.of(rotated).model_dump(), key=plain)


@router.delete(
    "/{key_id}",
    status_code=204,
    operation_id="keys-revoke",
    summary="Revoke an API key",
    responses=problems(*ADMIN_REFUSALS, KeyNotFound),
)
def revoke_key(key_id: KeyId, session: SessionDep, clock: ClockDep, key: AdminKey) -> Response:
    """Requests with it get 401 from then on; it stays listed, with the time it was revoked."""
    service.revoke(session, service.get_key(session, key_id), now=clock())
    return Response(status_code=204, headers=PRIVATE_ANSWER)
