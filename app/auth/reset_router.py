"""Resetting a forgotten password by email."""

from fastapi import APIRouter, Request, Response

from app.auth import answers, resets
from app.auth.answers import SECOND_FACTOR_DUE
from app.auth.dependencies import PRIVATE_ANSWER
from app.auth.errors import LinkInvalid, TooManySignIns
from app.auth.schemas import PasswordResetConfirm, PasswordResetRequest, PasswordResetRequested, SessionInfo
from app.core.errors import InvalidField, problems
from app.web.state import ClockDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/session/password-reset", tags=["session"])


@router.post(
    "",
    status_code=202,
    operation_id="session-password-reset",
    summary="Ask for a password reset email",
    response_model=PasswordResetRequested,
    responses=problems(TooManySignIns, InvalidField),
)
def request_reset(
    request: Request,
    response: Response,
    body: PasswordResetRequest,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> PasswordResetRequested:
    """The same answer whether or not an account has the address. An active account gets an email
    with a link to `/desk/reset?token=…` on the public URL, working once for BYLINE_PASSWORD_RESET_MINUTES
    (60 by default). Requests are limited per account and per network as sign-ins are."""
    response.headers.update(PRIVATE_ANSWER)
    resets.request_reset(
        session,
        email=body.email,
        client_address=request.client.host if request.client else "",
        settings=settings,
        now=clock(),
    )
    return PasswordResetRequested()


@router.post(
    "/confirm",
    operation_id="session-password-reset-confirm",
    summary="Set a new password with a reset link, and sign in",
    response_model=SessionInfo,
    responses=problems(LinkInvalid, InvalidField) | SECOND_FACTOR_DUE,
)
def confirm_reset(
    request: Request, body: PasswordResetConfirm, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """Every session of the account ends; then answers as POST /api/v1/session does (with a second
    factor enabled, 202: its code is still due)."""
    result = resets.confirm_reset(
        session,
        token=body.token,
        password=body.password,
        user_agent=request.headers.get("user-agent", ""),
        settings=settings,
        now=clock(),
    )
    return answers.signed_in(session, result, settings=settings)
