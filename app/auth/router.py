"""Sign-in for browsers: open, read and end sessions, and list and revoke one's own."""

from fastapi import APIRouter, Request, Response

from app.auth import sessions, users
from app.auth.dependencies import PRIVATE_ANSWER, SESSION_COOKIE, SignedIn
from app.auth.errors import CsrfTokenMissing, NotAuthenticated, SessionNotFound, SignInFailed, TooManySignIns
from app.auth.models import User
from app.auth.schemas import SessionInfo, SessionPublic, SignIn, UserPublic
from app.core.errors import InvalidField, problems
from app.core.ids import RowIdPath
from app.core.settings import Settings
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/session", tags=["session"])

# Answers about someone's session are theirs alone: no cache keeps them.


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The cookie of a session just opened, by any way of signing in, on a private answer."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_url.scheme == "https",
    )
    response.headers.update(PRIVATE_ANSWER)


def _info(user: User, *, session_id: int, token: str, secret: str) -> SessionInfo:
    return SessionInfo(user=UserPublic.of(user), session_id=session_id, csrf_token=sessions.csrf_token(secret, token))


@router.post(
    "",
    operation_id="session-create",
    summary="Sign in with an email and a password",
    response_model=SessionInfo,
    responses=problems(SignInFailed, TooManySignIns, InvalidField),
)
def sign_in(
    request: Request, response: Response, body: SignIn, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> SessionInfo:
    """Sets the session cookie (`HttpOnly`, `SameSite=Lax`, `Secure` when the public URL is https) and
    answers with the CSRF token that requests changing anything must send as `X-CSRF-Token`. Failed
    sign-ins are limited per account and per network; 429 names when to try again."""
    signed_in = sessions.sign_in(
        session,
        email=body.email,
        password=body.password,
        client_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        settings=settings,
        now=clock(),
    )
    set_session_cookie(response, signed_in.token, settings)
    secret = settings.secret_key.get_secret_value()
    return _info(signed_in.user, session_id=signed_in.user_session.id, token=signed_in.token, secret=secret)


@router.get(
    "",
    operation_id="session-read",
    summary="Say who is signed in",
    response_model=SessionInfo,
    responses=problems(NotAuthenticated),
)
def read_session(response: Response, person: SignedIn, session: ReadSessionDep, settings: SettingsDep) -> SessionInfo:
    """With the CSRF token again, so a page reloaded in the browser can go on writing."""
    response.headers.update(PRIVATE_ANSWER)
    user = users.get_user(session, person.user_id)
    return _info(user, session_id=person.session_id, token=person.token, secret=settings.secret_key.get_secret_value())


@router.delete(
    "",
    status_code=204,
    operation_id="session-delete",
    summary="Sign out",
    responses=problems(NotAuthenticated, CsrfTokenMissing),
)
def sign_out(person: SignedIn, session: SessionDep, clock: ClockDep) -> Response:
    sessions.revoke_session(session, person.user_id, person.session_id, now=clock())
    response = Response(status_code=204, headers=PRIVATE_ANSWER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(
    "/all",
    operation_id="session-list",
    summary="List your live sessions",
    response_model=list[SessionPublic],
    responses=problems(NotAuthenticated),
)
def list_sessions(
    response: Response, person: SignedIn, session: ReadSessionDep, clock: ClockDep
) -> list[SessionPublic]:
    response.headers.update(PRIVATE_ANSWER)
    return [
        SessionPublic.of(row, current_id=person.session_id)
        for row in sessions.live_sessions(session, person.user_id, now=clock())
    ]


@router.delete(
    "/{session_id}",
    status_code=204,
    operation_id="session-revoke",
    summary="End one of your sessions",
    responses=problems(NotAuthenticated, CsrfTokenMissing, SessionNotFound),
)
def revoke_session(session_id: RowIdPath, person: SignedIn, session: SessionDep, clock: ClockDep) -> Response:
    sessions.revoke_session(session, person.user_id, session_id, now=clock())
    return Response(status_code=204, headers=PRIVATE_ANSWER)
