"""The second factor through the API: enrolling and disabling one's authenticator, and the sign-in's
second step."""

from fastapi import APIRouter, Request, Response

from app.auth import answers, second_factor, sessions, users
from app.auth.dependencies import PRIVATE_ANSWER, SignedIn
from app.auth.errors import (
    CsrfTokenMissing,
    NotAuthenticated,
    SecondFactorEnabled,
    SecondFactorNotEnrolled,
    TooManySignIns,
)
from app.auth.schemas import (
    RecoveryCodes,
    SecondFactorSignIn,
    SessionInfo,
    TotpConfirm,
    TotpDisable,
    TotpEnrol,
    TotpEnrolment,
)
from app.core.errors import InvalidField, problems
from app.web.state import ClockDep, SessionDep, SettingsDep

router = APIRouter()


@router.post(
    "/api/v1/users/me/totp",
    tags=["users"],
    operation_id="users-totp-enrol",
    summary="Enrol an authenticator app",
    response_model=TotpEnrolment,
    responses=problems(NotAuthenticated, CsrfTokenMissing, SecondFactorEnabled, TooManySignIns, InvalidField),
)
def enrol(
    request: Request,
    response: Response,
    body: TotpEnrol,
    person: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> TotpEnrolment:
    """With your password again; wrong ones count as failed sign-ins. The seed and its `otpauth://`
    URI, shown this once. Nothing changes at sign-in until a first code confirms it
    (POST /api/v1/users/me/totp/confirm); enrolling again before that starts over."""
    response.headers.update(PRIVATE_ANSWER)
    enrolment = second_factor.enrol(
        session,
        users.get_user(session, person.user_id),
        password=body.password,
        client_address=request.client.host if request.client else "",
        settings=settings,
        now=clock(),
    )
    return TotpEnrolment(secret=enrolment.secret, otpauth_uri=enrolment.uri)


@router.post(
    "/api/v1/users/me/totp/confirm",
    tags=["users"],
    operation_id="users-totp-confirm",
    summary="Enable the authenticator with its first code",
    response_model=RecoveryCodes,
    responses=problems(NotAuthenticated, CsrfTokenMissing, SecondFactorNotEnrolled, InvalidField),
)
def confirm(
    response: Response, body: TotpConfirm, person: SignedIn, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> RecoveryCodes:
    """From now on signing in asks for a code. Answers 10 recovery codes, shown this once: each
    signs in once in place of a code."""
    response.headers.update(PRIVATE_ANSWER)
    user = users.get_user(session, person.user_id)
    return RecoveryCodes(recovery_codes=second_factor.confirm(session, user, body.code, settings=settings, now=clock()))


@router.post(
    "/api/v1/users/me/totp/disable",
    tags=["users"],
    status_code=204,
    operation_id="users-totp-disable",
    summary="Disable your authenticator",
    responses=problems(NotAuthenticated, CsrfTokenMissing, SecondFactorNotEnrolled, TooManySignIns, InvalidField),
)
def disable(
    request: Request, body: TotpDisable, person: SignedIn, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """With your password or a code (or a recovery code); wrong ones count as failed sign-ins. The
    recovery codes go with it."""
    if body.password is None and body.code is None:
        raise InvalidField("#/password", "Send your password, or a code of the authenticator.")
    second_factor.disable(
        session,
        users.get_user(session, person.user_id),
        password=body.password,
        code=body.code,
        client_address=request.client.host if request.client else "",
        settings=settings,
        now=clock(),
    )
    return Response(status_code=204, headers=PRIVATE_ANSWER)


@router.post(
    "/api/v1/session/totp",
    tags=["session"],
    operation_id="session-totp",
    summary="Finish signing in with a second factor's code",
    response_model=SessionInfo,
    responses=problems(TooManySignIns, InvalidField),
)
def sign_in_with_code(
    request: Request, body: SecondFactorSignIn, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """With the pending token a sign-in answered (202) and a code of the authenticator, or a recovery
    code (spent). A code is never accepted twice; wrong ones count as failed sign-ins. Answers as
    POST /api/v1/session does."""
    signed_in = sessions.complete_sign_in(
        session,
        pending_token=body.pending_token,
        code=body.code,
        client_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        settings=settings,
        now=clock(),
    )
    return answers.signed_in(session, signed_in, settings=settings)
