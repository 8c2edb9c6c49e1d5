"""Who is calling (an API key in `Authorization: Bearer`, or a session cookie), and requiring scopes on routes."""

import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.requests import HTTPConnection
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from app.auth.callers import Caller, key_caller, user_caller
from app.auth.errors import (
    CsrfTokenMissing,
    EnrolmentRequired,
    MissingScope,
    NotAuthenticated,
    PublishingForbidden,
    SectionForbidden,
)
from app.auth.models import Scope
from app.auth.service import find_active_key, record_use, use_is_due
from app.auth.sessions import csrf_token, find_session, idle_limit, record_seen, seen_is_due
from app.core import acting
from app.core.clock import Clock
from app.core.settings import Settings
from app.db.engines import reading
from app.web.state import ClockDep, Engines, EnginesDep, SettingsDep, app_state

log = logging.getLogger("byline.auth")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `byline keys create`, sent as `Authorization: Bearer <key>`.",
)
SESSION_COOKIE = "byline_session"
# Answers about accounts, sessions and keys are for the asker alone: no cache keeps them.
PRIVATE_ANSWER = {"Cache-Control": "no-store"}


def over_https(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def session_cookie_name(settings: Settings) -> str:
    """Over https, with the `__Host-` prefix: browsers then take it only from this host, `Secure`, on
    `Path=/` and without `Domain`, so a sibling subdomain cannot plant or shadow it. Browsers refuse
    such a cookie without `Secure`, so plain http (a development server) keeps the bare name."""
    return f"__Host-{SESSION_COOKIE}" if over_https(settings) else SESSION_COOKIE


class _SessionCookie(APIKeyCookie):
    """The cookie of this server's scheme; the other name is ignored, so a planted unprefixed cookie does nothing."""

    async def __call__(self, request: HTTPConnection) -> str | None:
        return request.cookies.get(session_cookie_name(app_state(request).settings))


session_cookie = _SessionCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="SessionCookie",
    description=(
        "The cookie `POST /api/v1/session` sets (`__Host-byline_session` when the public URL is https); "
        "unsafe requests also send `X-CSRF-Token`."
    ),
)
REALM = 'Bearer realm="byline"'
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a person who must enrol a second factor may still do: enrol it, see who they are, sign out.
ENROLMENT_OPERATIONS = frozenset(
    {"session-read", "session-delete", "users-me", "users-totp-enrol", "users-totp-confirm"}
)
# The caller a request's key or session cookie was found to carry before its body was read
# (app.body_limit), kept for the route: None for a cookie that names no live session.
_VERIFIED = "byline.verified_caller"


async def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: SettingsDep,
    clock: ClockDep,
    engines: EnginesDep,
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Caller | None:
    # Async so anonymous readers, the hot path, skip a threadpool hop; the lookup runs in a thread.
    secret = settings.secret_key.get_secret_value()
    caller = await _credited(
        request, credentials, secret=secret, clock=clock, engines=engines, cookie=cookie, settings=settings
    )
    if caller is not None and caller.enrolment_due:
        route = request.scope.get("route")
        if getattr(route, "operation_id", None) not in ENROLMENT_OPERATIONS:
            raise EnrolmentRequired("Your role signs in with a second factor: enrol one before anything else.")
    if caller is not None:
        # What this request writes is recorded as this caller's (the audit log, revisions).
        acting.act_as(caller.actor(), clock)
    return caller


async def _credited(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    secret: str,
    clock: Clock,
    engines: Engines,
    cookie: str | None,
    settings: Settings,
) -> Caller | None:
    if credentials is None:
        if "authorization" in request.headers:
            raise NotAuthenticated(
                "Authorization must be `Bearer <key>`.",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
            )
        if cookie is None:
            return None
        if _VERIFIED in request.scope:
            caller = cast(Caller | None, request.scope[_VERIFIED])
        else:
            caller = await _checked_session(cookie, secret=secret, now=clock(), engines=engines, settings=settings)
        # A cookie rides along on requests other sites make; only this site's pages can read the token.
        if caller is not None and request.method not in SAFE_METHODS:
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent.encode(), csrf_token(secret, cookie).encode()):
                raise CsrfTokenMissing("Send the session's `csrf_token` as the `X-CSRF-Token` header.")
        return caller
    known = request.scope.get(_VERIFIED)
    if known is not None:
        return cast(Caller, known)
    return await run_in_threadpool(_verified_key, credentials.credentials, secret=secret, now=clock(), engines=engines)


def _session_caller(
    token: str, *, secret: str, now: datetime, engines: Engines, idle: timedelta, roles: Sequence[str]
) -> Caller | None:
    # On the primary, as keys: a session ended a moment ago must not pass on a lagging replica.
    with reading(engines.read_primary) as connection:
        found = find_session(connection, secret_key=secret, token=token, now=now, idle=idle)
    # An ended or unknown session reads as anonymous: a stale cookie must not break public pages.
    if found is None:
        return None
    user_session, user = found.session, found.user
    if seen_is_due(user_session, now=now):
        try:
            with Session(engines.write) as session:
                record_seen(session, user_session.id, now=now)
        except OperationalError as busy:
            # As a key's last use: a read must not fail because the database cannot take a write now.
            log.info("last_seen_at of session %s not recorded: %s", user_session.id, type(busy.orig).__name__)
    return user_caller(user, session_id=user_session.id, enrolment_due=found.enrolment_due(roles))


async def presents_valid_key(request: Request) -> bool:
    """Whether the request's headers carry a valid key or session, asked before its body is read:
    bodies of callers without one are held to the anonymous limit."""
    credentials = await bearer(request)
    state = app_state(request)
    secret = state.settings.secret_key.get_secret_value()
    if credentials is None:
        cookie = request.cookies.get(session_cookie_name(state.settings))
        if cookie is None:
            return False
        try:
            session_caller = await _checked_session(
                cookie, secret=secret, now=state.clock(), engines=state.engines, settings=state.settings
            )
        except SQLAlchemyError:
            return True
        request.scope[_VERIFIED] = session_caller
        return session_caller is not None
    try:
        caller = await run_in_threadpool(
            _verified_key, credentials.credentials, secret=secret, now=state.clock(), engines=state.engines
        )
    except NotAuthenticated:
        return False
    except SQLAlchemyError:
        # The route answers the outage itself (503), not a misleading 413.
        return True
    request.scope[_VERIFIED] = caller
    return True


async def _checked_session(
    cookie: str, *, secret: str, now: datetime, engines: Engines, settings: Settings
) -> Caller | None:
    idle, roles = idle_limit(settings), settings.second_factor_roles
    return await run_in_threadpool(
        _session_caller, cookie, secret=secret, now=now, engines=engines, idle=idle, roles=roles
    )


def _verified_key(presented: str, *, secret: str, now: datetime, engines: Engines) -> Caller:
    # Checked on the primary: a key revoked a moment ago must not pass on a lagging replica.
    # The lookup reads only; the write lock is taken only when last_used_at is due.
    with reading(engines.read_primary) as connection:
        found = find_active_key(connection, secret_key=secret, presented=presented, now=now)
    if found is None:
        raise NotAuthenticated(
            "The API key is unknown, expired or revoked.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    key, owner = found
    if use_is_due(key, now=now):
        try:
            with Session(engines.write) as session:
                record_use(session, key, now=now)
        except OperationalError as busy:
            # Bookkeeping only: a read must not fail because the database cannot take a write now.
            log.info("last_used_at of key %s not recorded: %s", key.id, type(busy.orig).__name__)
    return key_caller(key, owner)


OptionalKey = Annotated[Caller | None, Depends(_caller)]


def ensure_scope(key: Caller | None, scope: Scope) -> Caller:
    """401 without a key or session, 403 with one that lacks `scope` (admin holds every scope)."""
    if key is None:
        raise NotAuthenticated(
            "Send an API key as `Authorization: Bearer <key>`, or sign in.", headers={"WWW-Authenticate": REALM}
        )
    if not key.grants(scope):
        raise MissingScope(
            f"This operation needs the '{scope}' scope.",
            scope=scope.value,
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
        )
    return key


def require_scope(scope: Scope) -> Any:
    """A route dependency that admits only keys granting `scope`; OpenAPI lists the scope on the operation."""

    async def check(key: OptionalKey) -> Caller:
        return ensure_scope(key, scope)

    return Security(check, scopes=[scope.value])


EditorKey = Annotated[Caller, require_scope(Scope.content_write)]
AdminKey = Annotated[Caller, require_scope(Scope.admin)]
PreviewKey = Annotated[Caller, require_scope(Scope.content_preview)]
ModeratorKey = Annotated[Caller, require_scope(Scope.comments_moderate)]
MediaKey = Annotated[Caller, require_scope(Scope.media_write)]


def ensure_section(caller: Caller, section: str | None) -> None:
    """403 when a person bound to sections writes in another one (or outside every section)."""
    if not caller.may_write_in(section):
        where = f"the section '{section}'" if section else "no section"
        raise SectionForbidden(f"You may not write articles in {where}.", section=section)


def ensure_embargo(caller: Caller, section: str | None) -> None:
    """Embargoes are set, moved and lifted by admins and by editors of the story's section (and keys
    with `content:embargo`), never by someone the story's desk could not overrule."""
    ensure_scope(caller, Scope.content_embargo)
    ensure_publishing(caller)
    ensure_section(caller, section)


def ensure_publishing(caller: Caller) -> None:
    """403 when a contributor publishes, schedules, archives or corrects."""
    if not caller.may_publish:
        raise PublishingForbidden("Contributors file drafts; an editor publishes them.")


async def _publisher(key: EditorKey) -> Caller:
    ensure_publishing(key)
    return key


# A writer who may also publish: every key with `content:write`, and editors and admins among people.
PublisherKey = Annotated[Caller, Depends(_publisher)]


@dataclass(frozen=True)
class SignedInPerson:
    user_id: int
    session_id: int
    # The cookie's token, from which the session's CSRF token is derived.
    token: str


async def _signed_in(caller: OptionalKey, cookie: Annotated[str | None, Depends(session_cookie)]) -> SignedInPerson:
    if caller is None or caller.session_id is None or caller.user_id is None or cookie is None:
        raise NotAuthenticated("Sign in with POST /api/v1/session first.", headers={"WWW-Authenticate": REALM})
    return SignedInPerson(user_id=caller.user_id, session_id=caller.session_id, token=cookie)


# A person signed in through a browser session, for the routes about that session.
SignedIn = Annotated[SignedInPerson, Depends(_signed_in)]
