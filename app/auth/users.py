"""Newsroom accounts: creating, listing and deactivating them."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.errors import EmailTaken, UnknownSection, UserNotFound
from app.auth.models import User, UserSession
from app.auth.passwords import Passwords
from app.auth.roles import Role
from app.core.errors import InvalidField
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
    password: str,
    passwords: Passwords,
    now: datetime,
) -> User:
    email = normal_email(email)
    if not 3 <= len(email) <= MAX_EMAIL or "@" not in email.strip("@"):
        raise InvalidField("#/email", f"An email address of at most {MAX_EMAIL} characters is needed.")
    if find_user(session, email) is not None:
        raise EmailTaken(f"An account with the email '{email}' already exists.", email=email)
    wanted = sorted(set(sections))
    missing = sorted(set(wanted) - set(taxonomy.sections_by_slug(session, wanted)))
    if missing:
        raise UnknownSection(f"No section has the slug '{missing[0]}'.", section=missing[0])
    user = User(
        email=email,
        name=name,
        role=role.value,
        sections=wanted,
        password_hash=passwords.hash(password),
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)).all())


def deactivate_user(session: Session, email: str, *, now: datetime) -> User:
    """Refuse the account's sign-ins from now on and end every session it has."""
    user = find_user(session, email)
    if user is None:
        raise UserNotFound(f"No account has the email '{normal_email(email)}'.", email=normal_email(email))
    user.is_active = False
    user.updated_at = now
    session.add(user)
    session.execute(
        update(UserSession)
        .where(col(UserSession.user_id) == user.id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.commit()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"No account has the id {user_id}.")
    return user
