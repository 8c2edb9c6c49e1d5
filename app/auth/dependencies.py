"""Reading the caller's API key from `Authorization: Bearer`, and requiring scopes on routes."""

import logging
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from app.auth.errors import MissingScope, NotAuthenticated
from app.auth.models import ApiKey, Scope
from app.auth.service import find_active_key, record_use, use_is_due
from app.web.state import ClockDep, Engines, EnginesDep, SettingsDep, app_state

log = logging.getLogger("byline.auth")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `byline keys create`, sent as `Authorization: Bearer <key>`.",
)
REALM = 'Bearer realm="byline"'
# The key a request was found to carry before its body was read (app.body_limit), kept for the route.
_VERIFIED_KEY = "byline.verified_key"


async def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: SettingsDep,
    clock: ClockDep,
    engines: EnginesDep,
) -> ApiKey | None:
    # Async so anonymous readers, the hot path, skip a threadpool hop; the lookup runs in a thread.
    if credentials is None:
        if "authorization" in request.headers:
            raise NotAuthenticated(
                "Authorization must be `Bearer <key>`.",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
            )
        return None
    known = request.scope.get(_VERIFIED_KEY)
    if known is not None:
        return cast(ApiKey, known)
    secret = settings.secret_key.get_secret_value()
    return await run_in_threadpool(_verified_key, credentials.credentials, secret=secret, now=clock(), engines=engines)


async def presents_valid_key(request: Request) -> bool:
    """Whether the request's headers carry a valid key, asked before its body is read: bodies of
    callers without one are held to the anonymous limit."""
    credentials = await bearer(request)
    if credentials is None:
        return False
    state = app_state(request)
    secret = state.settings.secret_key.get_secret_value()
    try:
        key = await run_in_threadpool(
            _verified_key, credentials.credentials, secret=secret, now=state.clock(), engines=state.engines
        )
    except NotAuthenticated:
        return False
    except SQLAlchemyError:
        # The route answers the outage itself (503), not a misleading 413.
        return True
    request.scope[_VERIFIED_KEY] = key
    return True


def _verified_key(presented: str, *, secret: str, now: datetime, engines: Engines) -> ApiKey:
    # Checked on the primary: a key revoked a moment ago must not pass on a lagging replica.
    # The lookup reads only; the write lock is taken only when last_used_at is due.
    with Session(engines.read_primary, expire_on_commit=False) as session:
        key = find_active_key(session, secret_key=secret, presented=presented, now=now)
    if key is None:
        raise NotAuthenticated(
            "The API key is unknown, expired or revoked.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    if use_is_due(key, now=now):
        try:
            with Session(engines.write) as session:
                record_use(session, key, now=now)
        except OperationalError as busy:
            # Bookkeeping only: a read must not fail because the database cannot take a write now.
            log.info("last_used_at of key %s not recorded: %s", key.id, type(busy.orig).__name__)
    return key


OptionalKey = Annotated[ApiKey | None, Depends(_caller)]


def ensure_scope(key: ApiKey | None, scope: Scope) -> ApiKey:
    """401 without a key, 403 with a key that lacks `scope` (admin holds every scope)."""
    if key is None:
        raise NotAuthenticated("Send an API key as `Authorization: Bearer <key>`.", headers={"WWW-Authenticate": REALM})
    if not key.grants(scope):
        raise MissingScope(
            f"This operation needs the '{scope}' scope.",
            scope=scope.value,
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
        )
    return key


def require_scope(scope: Scope) -> Any:
    """A route dependency that admits only keys granting `scope`; OpenAPI lists the scope on the operation."""

    async def check(key: OptionalKey) -> ApiKey:
        return ensure_scope(key, scope)

    return Security(check, scopes=[scope.value])


EditorKey = Annotated[ApiKey, require_scope(Scope.content_write)]
AdminKey = Annotated[ApiKey, require_scope(Scope.admin)]
PreviewKey = Annotated[ApiKey, require_scope(Scope.content_preview)]
ModeratorKey = Annotated[ApiKey, require_scope(Scope.comments_moderate)]
MediaKey = Annotated[ApiKey, require_scope(Scope.media_write)]
