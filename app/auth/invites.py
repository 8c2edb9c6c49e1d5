"""Inviting people: an administrator names them and their role, they get an email with a link to
choose their password, and accepting it activates the account and signs them in."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from app.auth import journal, links, sessions
from app.auth.errors import AccountActive
from app.auth.models import User
from app.auth.passwords import ensure_strong, passwords
from app.auth.roles import Role
from app.auth.users import UserChanges, create_user, find_user, update_user
from app.core.acting import Actor
from app.core.settings import Settings
from app.mail import accounts as mail


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    sections: Iterable[str],
    by: Actor,
    settings: Settings,
    now: datetime,
) -> User:
    """The account waits, inactive and without a password, until the link is used. Inviting again
    someone who has not accepted sends a new link (the old one stops working) with the new role;
    an account that has signed in is never invited (409)."""
    user = find_user(session, email)
    if user is not None and user.password_hash:
        raise AccountActive(f"The account '{user.email}' already exists.", email=user.email)
    sections = list(sections)
    if user is None:
        user = create_user(
            session,
            email=email,
            name=name,
            role=role,
            sections=sections,
            password=None,
            passwords=passwords(settings),
            now=now,
            commit=False,
        )
    else:
        update_user(session, user, UserChanges(name=name, role=role, sections=sections), now=now, commit=False)
    token = links.new_token()
    secret = settings.secret_key.get_secret_value()
    lifetime = timedelta(hours=settings.invite_hours)
    expires_at = links.store_link(
        session, user, links.Purpose.invite, token, secret_key=secret, lifetime=lifetime, now=now
    )
    mail.queue_link(
        session,
        to=user.email,
        name=user.name,
        kind="invite",
        link=f"{settings.base_url}/desk/accept?token={token}",
        expires_at=expires_at,
        settings=settings,
        now=now,
    )
    journal.note(session, "invite", user, at=now, actor=by)
    session.commit()
    return user


def accept_invite(
    session: Session, *, token: str, password: str, name: str | None, user_agent: str, settings: Settings, now: datetime
) -> sessions.SignedIn | sessions.SecondFactorDue:
    secret = settings.secret_key.get_secret_value()
    user = links.use_link(session, links.Purpose.invite, token, secret_key=secret, now=now)
    ensure_strong(password, pointer="#/password", email=user.email, name=name or user.name)
    user.password_hash = passwords(settings).hash(password)
    user.is_active = True
    if name:
        user.name = name
    user.updated_at = now
    session.add(user)
    journal.note(session, "invite_accept", user, at=now)
    return sessions.start_session(session, user, user_agent=user_agent, settings=settings, now=now)
