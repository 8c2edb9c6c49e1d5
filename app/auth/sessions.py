"""Browser sessions: signing in with a password, the session cookie's token and its CSRF token."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.errors import SessionNotFound, SignInFailed, TooManySignIns
from app.auth.models import FailedSignIn, User, UserSession
from app.auth.passwords import passwords
from app.auth.users import find_user, normal_email, set_password
from app.core.errors import InvalidField
from app.core.hashing import keyed_digest
from app.core.networks import network_of
from app.core.settings import Settings


def _token_hash(secret_key: str, token: str) -> str:
    # Tokens are 256-bit random, so a keyed fast hash suffices, as for API keys.
    return keyed_digest(secret_key, "session", token)


def csrf_token(secret_key: str, token: str) -> str:
    """Derived from the session's token: nothing more to store, and it ends with the session."""
    return keyed_digest(secret_key, "csrf", token)


@dataclass(frozen=True)
class SignedIn:
    user: User
    user_session: UserSession
    # The cookie's value, shown once.
    token: str


def _check_limits(session: Session, *, email_hash: str, network_hash: str, now: datetime, settings: Settings) -> None:
    window = timedelta(seconds=settings.sign_in_limit_window_seconds)
    for column, value, limit, what in (
        (FailedSignIn.email_hash, email_hash, settings.sign_in_limit_per_account, "this account"),
        (FailedSignIn.network_hash, network_hash, settings.sign_in_limit_per_network, "your network"),
    ):
        used, oldest = session.exec(
            select(func.count(), func.min(FailedSignIn.created_at)).where(
                column == value, col(FailedSignIn.created_at) > now - window
            )
        ).one()
        if used >= limit:
            reset = max(1, int((oldest + window - now).total_seconds()) + 1)
            raise TooManySignIns(
                f"Too many failed sign-ins for {what}; try again in {reset} seconds.", retry_after=reset
            )


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    client_address: str,
    user_agent: str,
    settings: Settings,
    now: datetime,
) -> SignedIn:
    """Open a session for an active account whose password matches. An unknown email, a wrong
    password and a deactivated account get the same answer after the same work: one Argon2 check."""
    secret = settings.secret_key.get_secret_value()
    email = normal_email(email)
    email_hash = keyed_digest(secret, "sign-in-email", email)
    network_hash = keyed_digest(secret, "network", network_of(client_address))
    _check_limits(session, email_hash=email_hash, network_hash=network_hash, now=now, settings=settings)
    user = find_user(session, email)
    hashes = passwords(settings)
    matches = hashes.verify(user.password_hash if user else None, password)
    if user is None or not matches or not user.is_active:
        session.add(FailedSignIn(email_hash=email_hash, network_hash=network_hash, created_at=now))
        session.commit()
        raise SignInFailed("The email and password do not match an active account.")
    if hashes.needs_rehash(user.password_hash):
        user.password_hash = hashes.hash(password)
        session.add(user)
    session.execute(delete(FailedSignIn).where(col(FailedSignIn.email_hash) == email_hash))
    return open_session(session, user, user_agent=user_agent, settings=settings, now=now)


def open_session(session: Session, user: User, *, user_agent: str, settings: Settings, now: datetime) -> SignedIn:
    """A new session for an account its caller has checked (a password, single sign-on), committed
    with whatever the caller changed before."""
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        user_id=user.id,
        token_hash=_token_hash(settings.secret_key.get_secret_value(), token),
        user_agent=user_agent[:300],
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
    )
    session.add(user_session)
    session.commit()
    return SignedIn(user=user, user_session=user_session, token=token)


def change_password(
    session: Session,
    user: User,
    *,
    current: str,
    new: str,
    client_address: str,
    settings: Settings,
    now: datetime,
    keep_session: int,
) -> None:
    """Only with the current password. Wrong guesses of it count as failed sign-ins of the account and
    the network, under the same limits: a stolen session tries passwords no faster than a sign-in form."""
    secret = settings.secret_key.get_secret_value()
    email_hash = keyed_digest(secret, "sign-in-email", normal_email(user.email))
    network_hash = keyed_digest(secret, "network", network_of(client_address))
    _check_limits(session, email_hash=email_hash, network_hash=network_hash, now=now, settings=settings)
    hashes = passwords(settings)
    if not hashes.verify(user.password_hash, current):
        session.add(FailedSignIn(email_hash=email_hash, network_hash=network_hash, created_at=now))
        session.commit()
        raise InvalidField("#/current_password", "The current password is wrong.")
    session.execute(delete(FailedSignIn).where(col(FailedSignIn.email_hash) == email_hash))
    set_password(session, user, new, passwords=hashes, now=now, keep_session=keep_session)


def find_session(session: Session, *, secret_key: str, token: str, now: datetime) -> tuple[UserSession, User] | None:
    """The live session a cookie's token names, with its account, unless either has ended."""
    row = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == UserSession.user_id)
        .where(
            UserSession.token_hash == _token_hash(secret_key, token),
            col(UserSession.revoked_at).is_(None),
            UserSession.expires_at > now,
            col(User.is_active).is_(True),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def live_sessions(session: Session, user_id: int, *, now: datetime) -> list[UserSession]:
    return list(
        session.exec(
            select(UserSession)
            .where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None), UserSession.expires_at > now)
            .order_by(col(UserSession.created_at).desc(), col(UserSession.id).desc())
        ).all()
    )


def revoke_session(session: Session, user_id: int, session_id: int, *, now: datetime) -> None:
    """End one of the person's own sessions; another person's is as unknown as a missing one."""
    user_session = session.get(UserSession, session_id)
    if user_session is None or user_session.user_id != user_id or user_session.revoked_at is not None:
        raise SessionNotFound(f"You have no session with the id {session_id}.", session_id=session_id)
    user_session.revoked_at = now
    session.add(user_session)
    session.commit()
