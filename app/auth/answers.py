"""The answer to every way of signing in (a password, an invitation, a password reset, a second
factor's code): the session cookie and the CSRF token, or first the second factor. Single sign-on
sets the same cookie on its redirect."""

from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.auth import second_factor, sessions
from app.auth.dependencies import PRIVATE_ANSWER, over_https, session_cookie_name
from app.auth.models import User
from app.auth.schemas import SecondFactorRequired, SessionInfo, UserPublic
from app.core.settings import Settings

# For the OpenAPI document of every route answering `signed_in`.
SECOND_FACTOR_DUE: dict[int | str, dict[str, Any]] = {
    202: {"model": SecondFactorRequired, "description": "A second factor's code is due; no session yet"}
}


def session_info(session: Session, user: User, *, session_id: int, token: str, settings: Settings) -> SessionInfo:
    enabled = second_factor.enabled(session, user.id)
    return SessionInfo(
        user=UserPublic.of(user),
        session_id=session_id,
        csrf_token=sessions.csrf_token(settings.secret_key.get_secret_value(), token),
        second_factor_enabled=enabled,
        second_factor_enrolment_due=second_factor.enrolment_due(
            user, factor_enabled=enabled, roles=settings.second_factor_roles
        ),
    )


def signed_in(
    session: Session, result: sessions.SignedIn | sessions.SecondFactorDue, *, settings: Settings
) -> JSONResponse:
    """200 with the cookie (`HttpOnly`, `SameSite=Lax`, `Secure` when the public URL is https), or 202
    with the pending token the second factor's code goes with, and no cookie yet."""
    if isinstance(result, sessions.SecondFactorDue):
        due = SecondFactorRequired(pending_token=result.pending_token, expires_at=result.expires_at)
        return JSONResponse(due.model_dump(mode="json"), status_code=202, headers=PRIVATE_ANSWER)
    info = session_info(session, result.user, session_id=result.user_session.id, token=result.token, settings=settings)
    response = JSONResponse(info.model_dump(mode="json"))
    set_session_cookie(response, result.token, settings)
    return response


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The cookie of a session just opened, by any way of signing in, on a private answer."""
    response.set_cookie(
        session_cookie_name(settings),
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=over_https(settings),
    )
    response.headers.update(PRIVATE_ANSWER)
