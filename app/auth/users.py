"""Newsroom accounts: creating, listing and changing them, and their passwords."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.auth.errors import EmailTaken, SelfLockout, UnknownSection, UserNotFound
from app.auth.models import AccountToken, User, UserSession
from app.auth.passwords import Passwords, ensure_strong
from app.auth.roles import Role
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidField
from app.mail import accounts as mail
from app.taxonomy import service as taxonomy

# What revisions and the media library can record as who made a change.
MAX_EMAIL = 100


def normal_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normal_email(email))).first()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    sections: Iterable[str],
    password: str | None,
    passwords: Passwords,
    now: datetime,
    commit: bool = True,
) -> User:
    """Without a password, the account waits for its invitation to be accepted (app.auth.invites):
    inactive, and no password matches it."""
    email = normal_email(email)
    if not 3 <= len(email) <= MAX_EMAIL or "@" not in email.strip("@"):
        raise InvalidField("#/email", f"An email address of at most {MAX_EMAIL} characters is needed.")
    if find_user(session, email) is not None:
        raise EmailTaken(f"An account with the email '{email}' already exists.", email=email)
    wanted = _known_sections(session, sections)
    if password is not None:
        ensure_strong(password, pointer="#/password", email=email, name=name)
    user = User(
        email=email,
        name=name,
        role=role.value,
        sections=wanted,
        is_active=password is not None,
        password_hash=passwords.hash(password) if password is not None else "",
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    if commit:
        session.commit()
    else:
        session.flush()
    return user


def _known_sections(session: Session, sections: Iterable[str]) -> list[str]:
    given = list(sections)
    known = taxonomy.sections_by_slug(session, given)
    for index, slug in enumerate(given):
        if slug not in known:
            detail = f"No section has the slug '{slug}'."
            raise UnknownSection(detail, section=slug, errors=[{"detail": detail, "pointer": f"#/sections/{index}"}])
    return sorted(set(given))


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)).all())


def users_page(session: Session, *, cursor: str | None, limit: int) -> tuple[list[User], int, str | None]:
    """Accounts in the order they were made."""
    total = session.exec(select(func.count()).select_from(User)).one()
    query = select(User)
    if cursor:
        _, after_id = decode_cursor(cursor, int)
        query = query.where(User.id > after_id)
    rows = list(session.exec(query.order_by(col(User.id)).limit(limit + 1)).all())
    page = rows[:limit]
    return page, total, encode_cursor(page[-1].id, page[-1].id) if len(rows) > limit else None


def _end_sessions(session: Session, user_id: int, *, now: datetime, keep: int | None = None) -> None:
    ending = update(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
    if keep is not None:
        ending = ending.where(col(UserSession.id) != keep)
    session.execute(ending.values(revoked_at=now))


def deactivate_user(session: Session, email: str, *, now: datetime) -> User:
    """Refuse the account's sign-ins from now on and end every session it has."""
    user = find_user(session, email)
    if user is None:
        raise UserNotFound(f"No account has the email '{normal_email(email)}'.", email=normal_email(email))
    return update_user(session, user, UserChanges(is_active=False), now=now)


@dataclass(frozen=True)
class UserChanges:
    name: str | None = None
    role: Role | None = None
    sections: list[str] | None = None
    is_active: bool | None = None


def update_user(
    session: Session, user: User, changes: UserChanges, *, now: datetime, by: int | None = None, commit: bool = True
) -> User:
    """Change a role, sections, name or whether the account may sign in; a deactivated account's
    sessions and emailed links end at once (its keys stop working as they are checked). `by`, the admin making the
    change, may not take their own admin role or account away: someone must stay able to undo it."""
    if by == user.id and (changes.is_active is False or changes.role not in (None, Role.admin)):
        raise SelfLockout("Another administrator must take away your role or deactivate your account.")
    if changes.name is not None:
        user.name = changes.name
    if changes.role is not None:
        user.role = changes.role.value
    if changes.sections is not None:
        user.sections = _known_sections(session, changes.sections)
    if changes.is_active is not None:
        user.is_active = changes.is_active
        if not changes.is_active:
            _end_sessions(session, user.id, now=now)
            # Emailed links too: deactivating someone invited withdraws the invitation.
            session.execute(delete(AccountToken).where(col(AccountToken.user_id) == user.id))
    user.updated_at = now
    session.add(user)
    if commit:
        session.commit()
    return user


def set_password(
    session: Session,
    user: User,
    new: str,
    *,
    passwords: Passwords,
    now: datetime,
    keep_session: int | None,
    pointer: str = "#/password",
) -> None:
    """Every other session of the account ends, so a thief signed in elsewhere is signed out, and the
    person is told by email. A password easy to guess is refused (422 naming `pointer`) before anything
    changes."""
    ensure_strong(new, pointer=pointer, email=user.email, name=user.name)
    user.password_hash = passwords.hash(new)
    user.updated_at = now
    session.add(user)
    _end_sessions(session, user.id, now=now, keep=keep_session)
    mail.queue_notice(session, to=user.email, name=user.name, kind="password", now=now)
    session.commit()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"No account has the id {user_id}.")
    return user
