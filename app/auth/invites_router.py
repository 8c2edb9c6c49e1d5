"""Invitations through the API: administrators invite people by email; the link signs them in."""

from fastapi import APIRouter, Request, Response

from app.auth import answers, invites
from app.auth.answers import SECOND_FACTOR_DUE
from app.auth.dependencies import PRIVATE_ANSWER, AdminKey
from app.auth.errors import ADMIN_REFUSALS, AccountActive, LinkInvalid, UnknownSection
from app.auth.schemas import InviteAccept, InviteCreate, SessionInfo, UserAccount
from app.core.errors import InvalidField, problems
from app.web.state import ClockDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/users/invites", tags=["users"])


@router.post(
    "",
    status_code=202,
    operation_id="users-invite",
    summary="Invite someone by email",
    response_model=UserAccount,
    responses=problems(*ADMIN_REFUSALS, AccountActive, UnknownSection, InvalidField),
)
def invite(
    response: Response, body: InviteCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: AdminKey
) -> UserAccount:
    """The account is made inactive, without a password, and an email sends the person a link to
    `/desk/accept?token=…` on the public URL, working once for BYLINE_INVITE_HOURS (72 by default).
    Inviting again someone who has not accepted sends a new link and voids the old one; an account
    that has signed in is 409."""
    response.headers.update(PRIVATE_ANSWER)
    user = invites.invite_user(
        session,
        email=body.email,
        name=body.name,
        role=body.role,
        sections=body.sections,
        by=key.actor(),
        settings=settings,
        now=clock(),
    )
    return UserAccount.of(user)


@router.post(
    "/accept",
    operation_id="users-invite-accept",
    summary="Accept an invitation: choose a password and sign in",
    response_model=SessionInfo,
    responses=problems(LinkInvalid, InvalidField) | SECOND_FACTOR_DUE,
)
def accept(
    request: Request, body: InviteAccept, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """Answers as POST /api/v1/session does: the session cookie and its CSRF token."""
    result = invites.accept_invite(
        session,
        token=body.token,
        password=body.password,
        name=body.name,
        user_agent=request.headers.get("user-agent", ""),
        settings=settings,
        now=clock(),
    )
    return answers.signed_in(session, result, settings=settings)
