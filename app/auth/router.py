"""Sign-in for browsers: open, read and end sessions, and list and revoke one's own."""

from fastapi import APIRouter, Request, Response

from app.auth import answers, sessions, users
from app.auth.answers import SECOND_FACTOR_DUE
from app.auth.dependencies import PRIVATE_ANSWER, SignedIn, over_https, session_cookie_name
from app.auth.errors import CsrfTokenMissing, NotAuthenticated, SessionNotFound, SignInFailed, TooManySignIns
from app.auth.schemas import SessionInfo, SessionPublic, SignIn
from app.core.errors import InvalidField, problems
from app.core.ids import RowIdPath
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/session", tags=["session"])

# Answers about someone's session are theirs alone: no cache keeps them.


@router.post(
    "",
    operation_id="session-create",
    summary="Sign in with an email and a password",
    response_model=SessionInfo,
    responses=problems(SignInFailed, TooManySignIns, InvalidField) | SECOND_FACTOR_DUE,
)
def sign_in(request: Request, body: SignIn, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> Response:
    """Sets the session cookie (`HttpOnly`, `SameSite=Lax`, `Secure` when the public URL is https) and
    answers with the CSRF token that requests changing anything must send as `X-CSRF-Token`. When the
    account has a second factor, answers 202 with a pending token instead, for POST /api/v1/session/totp.
    Failed sign-ins are limited per account and per network; 429 names when to try again."""
    result = sessions.sign_in(
        session,
        email=body.email,
        password=body.password,
        client_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        settings=settings,
        now=clock(),
    )
    return answers.signed_in(session, result, settings=settings)


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
    return answers.session_info(session, user, session_id=person.session_id, token=person.token, settings=settings)


@router.delete(
    "",
    status_code=204,
    operation_id="session-delete",
    summary="Sign out",
    responses=problems(NotAuthenticated, CsrfTokenMissing),
)
def sign_out(person: SignedIn, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> Response:
    sessions.revoke_session(session, person.user_id, person.session_id, now=clock())
    response = Response(status_code=204, headers=PRIVATE_ANSWER)
    # With the attributes it was set with: browsers drop a `__Host-` cookie only so.
    name = session_cookie_name(settings)
    response.delete_cookie(name, path="/", secure=over_https(settings), httponly=True, samesite="lax")
    return response


@router.get(
    "/all",
    operation_id="session-list",
    summary="List your live sessions",
    response_model=list[SessionPublic],
    responses=problems(NotAuthenticated),
)
def list_sessions(
    response: Response, person: SignedIn, session: ReadSessionDep, settings: SettingsDep, clock: ClockDep
) -> list[SessionPublic]:
    response.headers.update(PRIVATE_ANSWER)
    idle = sessions.idle_limit(settings)
    return [
        SessionPublic.of(row, current_id=person.session_id)
        for row in sessions.live_sessions(session, person.user_id, now=clock(), idle=idle)
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
