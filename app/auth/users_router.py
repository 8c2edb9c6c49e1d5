"""Accounts through the API: administrators list, create and change them; each person reads their
own and changes their password."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.auth import sessions, users
from app.auth.dependencies import PRIVATE_ANSWER, REALM, AdminKey, OptionalKey, SignedIn
from app.auth.errors import (
    ADMIN_REFUSALS,
    CsrfTokenMissing,
    EmailTaken,
    NotAuthenticated,
    SelfLockout,
    TooManySignIns,
    UnknownSection,
    UserNotFound,
)
from app.auth.passwords import passwords
from app.auth.schemas import PasswordChange, UserAccount, UserCreate, UserUpdate
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.ids import RowIdPath
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/users", tags=["users"])

UserId = Annotated[RowIdPath, Path(description="The account's id.")]


@router.get(
    "",
    operation_id="users-list",
    summary="List accounts",
    response_model=Page[UserAccount],
    responses=problems(*ADMIN_REFUSALS, InvalidParameter),
)
def list_users(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    key: AdminKey,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    response.headers.update(PRIVATE_ANSWER)
    rows, total, next_cursor = users.users_page(session, cursor=cursor, limit=limit)
    return page_response(request, response, [UserAccount.of(u) for u in rows], total=total, next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    operation_id="users-create",
    summary="Create an account with an initial password",
    response_model=UserAccount,
    responses=problems(*ADMIN_REFUSALS, EmailTaken, UnknownSection, InvalidField),
)
def create_user(
    response: Response, body: UserCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: AdminKey
) -> UserAccount:
    """Only the password's Argon2id hash is stored; give the person the password by another way."""
    user = users.create_user(
        session,
        email=body.email,
        name=body.name,
        role=body.role,
        sections=body.sections,
        password=body.password,
        passwords=passwords(settings),
        now=clock(),
    )
    response.headers["Location"] = f"{settings.base_url}/api/v1/users/{user.id}"
    return UserAccount.of(user)


async def _person(caller: OptionalKey) -> int:
    if caller is None or caller.user_id is None:
        raise NotAuthenticated("Sign in, or use a key you own.", headers={"WWW-Authenticate": REALM})
    return caller.user_id


# The account of the person calling: signed in, or through a key they own.
Me = Annotated[int, Depends(_person)]


@router.get(
    "/me",
    operation_id="users-me",
    summary="Read your own account",
    response_model=UserAccount,
    responses=problems(NotAuthenticated),
)
def read_me(response: Response, me: Me, session: ReadSessionDep) -> UserAccount:
    response.headers.update(PRIVATE_ANSWER)
    return UserAccount.of(users.get_user(session, me))


@router.put(
    "/me/password",
    status_code=204,
    operation_id="users-password",
    summary="Change your password",
    responses=problems(NotAuthenticated, CsrfTokenMissing, TooManySignIns, InvalidField),
)
def change_password(
    request: Request,
    body: PasswordChange,
    person: SignedIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Needs the current password and a session (not a key); every other session of yours ends.
    Wrong current passwords count as failed sign-ins: after as many as a sign-in allows, 429."""
    sessions.change_password(
        session,
        users.get_user(session, person.user_id),
        current=body.current_password,
        new=body.new_password,
        client_address=request.client.host if request.client else "",
        settings=settings,
        now=clock(),
        keep_session=person.session_id,
    )
    return Response(status_code=204, headers=PRIVATE_ANSWER)


@router.get(
    "/{user_id}",
    operation_id="users-read",
    summary="Read an account",
    response_model=UserAccount,
    responses=problems(*ADMIN_REFUSALS, UserNotFound),
)
def read_user(response: Response, user_id: UserId, session: ReadSessionDep, key: AdminKey) -> UserAccount:
    response.headers.update(PRIVATE_ANSWER)
    return UserAccount.of(users.get_user(session, user_id))


@router.patch(
    "/{user_id}",
    operation_id="users-update",
    summary="Change an account's name, role or sections, or (de)activate it",
    response_model=UserAccount,
    responses=problems(*ADMIN_REFUSALS, UserNotFound, UnknownSection, SelfLockout, InvalidField),
)
def update_user(user_id: UserId, body: UserUpdate, session: SessionDep, clock: ClockDep, key: AdminKey) -> UserAccount:
    """Deactivating ends the account's sessions and stops its keys at once; reactivating lets it sign in again."""
    user = users.get_user(session, user_id)
    changes = users.UserChanges(**body.model_dump(exclude_unset=True, exclude_none=True))
    return UserAccount.of(users.update_user(session, user, changes, now=clock(), by=key.user_id))
