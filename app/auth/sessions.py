"""Browser sessions: signing in with a password, the session cookie's token and its CSRF token."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy
from sqlalchemy import Connection, bindparam, update
from sqlmodel import Session, col, select

from app.auth import journal, limits, second_factor
from app.auth.errors import SessionNotFound, SignInFailed
from app.auth.models import SecondFactor, User, UserSession
from app.auth.passwords import passwords
from app.auth.users import find_user, set_password
from app.core.errors import InvalidField
from app.core.hashing import keyed_digest
from app.core.settings import Settings
from app.db.columns import core_table, from_columns

# Recording every request would turn reads into writes; a minute is precise enough for the idle timeout.
SEEN_RESOLUTION = timedelta(minutes=1)


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


@dataclass(frozen=True)
class SecondFactorDue:
    """The password was right; the account's second factor is asked for before a session opens."""

    pending_token: str
    expires_at: datetime


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    client_address: str,
    user_agent: str,
    settings: Settings,
    now: datetime,
) -> SignedIn | SecondFactorDue:
    """Open a session for an active account whose password matches, or, when the account has a second
    factor, answer that a code is due. An unknown email, a wrong password and a deactivated account
    get the same answer after the same work: one Argon2 check."""
    attempts = limits.Attempts.of(settings, email=email, client_address=client_address)
    limits.check_limits(session, attempts, now=now, settings=settings)
    user = find_user(session, email)
    hashes = passwords(settings)
    matches = hashes.verify(user.password_hash if user else None, password)
    if user is None or not matches or not user.is_active:
        limits.count_attempt(session, attempts, now=now)
        journal.note(session, "sign_in_fail", user, at=now, actor=journal.SOMEONE)
        session.commit()
        raise SignInFailed("The email and password do not match an active account.")
    if hashes.needs_rehash(user.password_hash):
        user.password_hash = hashes.hash(password)
        session.add(user)
    limits.forget_attempts(session, attempts)
    return start_session(session, user, user_agent=user_agent, settings=settings, now=now)


def start_session(
    session: Session, user: User, *, user_agent: str, settings: Settings, now: datetime
) -> SignedIn | SecondFactorDue:
    """After a password (or an email's link) proved who this is: a session, or first the second factor."""
    if second_factor.enabled(session, user.id):
        session.commit()
        token, expires_at = second_factor.pending_token(user, settings=settings, now=now)
        return SecondFactorDue(pending_token=token, expires_at=expires_at)
    return open_session(session, user, user_agent=user_agent, settings=settings, now=now)


def complete_sign_in(
    session: Session,
    *,
    pending_token: str,
    code: str,
    client_address: str,
    user_agent: str,
    settings: Settings,
    now: datetime,
) -> SignedIn:
    """The second step: a code of the authenticator (or a recovery code) for the pending sign-in."""
    user = second_factor.pending_user(session, pending_token, settings=settings, now=now)
    attempts = limits.Attempts.of(settings, email=user.email, client_address=client_address)
    second_factor.check_code(session, user, code, attempts=attempts, settings=settings, now=now)
    return open_session(session, user, user_agent=user_agent, settings=settings, now=now)


def open_session(
    session: Session, user: User, *, user_agent: str, settings: Settings, now: datetime, how: str | None = None
) -> SignedIn:
    """A new session for an account its caller has checked (a password, an emailed link, a second
    factor, single sign-on), committed with whatever the caller changed before. The audit log says
    `how` when it is not a password."""
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        user_id=user.id,
        token_hash=_token_hash(settings.secret_key.get_secret_value(), token),
        user_agent=user_agent[:300],
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
        last_seen_at=now,
    )
    session.add(user_session)
    journal.note(session, "sign_in", user, at=now, how=how)
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
    attempts = limits.Attempts.of(settings, email=user.email, client_address=client_address)
    limits.check_limits(session, attempts, now=now, settings=settings)
    hashes = passwords(settings)
    if not hashes.verify(user.password_hash, current):
        limits.count_attempt(session, attempts, now=now)
        session.commit()
        raise InvalidField("#/current_password", "The current password is wrong.")
    limits.forget_attempts(session, attempts)
    set_password(session, user, new, passwords=hashes, now=now, keep_session=keep_session, pointer="#/new_password")


def idle_limit(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


@dataclass(frozen=True)
class LiveSession:
    """A live session, its account, and whether the account's second factor is on."""

    session: UserSession
    user: User
    second_factor_enabled: bool

    def enrolment_due(self, roles: Sequence[str]) -> bool:
        return second_factor.enrolment_due(self.user, factor_enabled=self.second_factor_enabled, roles=roles)


# Built once and run on a plain connection: every signed-in request runs it.
_SESSIONS, _PEOPLE, _FACTORS = core_table(UserSession), core_table(User), core_table(SecondFactor)
_LIVE_SESSION = (
    sqlalchemy.select(_SESSIONS, _PEOPLE, _FACTORS.c.enabled_at)
    .select_from(
        _SESSIONS.join(_PEOPLE, _PEOPLE.c.id == _SESSIONS.c.user_id).outerjoin(
            _FACTORS, _FACTORS.c.user_id == _PEOPLE.c.id
        )
    )
    .where(
        _SESSIONS.c.token_hash == bindparam("token_hash"),
        _SESSIONS.c.revoked_at.is_(None),
        _SESSIONS.c.expires_at > bindparam("now"),
        _SESSIONS.c.last_seen_at > bindparam("idle_since"),
        _PEOPLE.c.is_active.is_(True),
    )
)


def find_session(
    connection: Connection, *, secret_key: str, token: str, now: datetime, idle: timedelta
) -> LiveSession | None:
    """The live session a cookie's token names, with its account, unless either has ended: revoked,
    past its absolute end, or unused for `idle`."""
    found = {"token_hash": _token_hash(secret_key, token), "now": now, "idle_since": now - idle}
    row = connection.execute(_LIVE_SESSION, found).first()
    if row is None:
        return None
    user_session, person_starts = from_columns(UserSession, row)
    user, factor_starts = from_columns(User, row, person_starts)
    return LiveSession(user_session, user, second_factor_enabled=row[factor_starts] is not None)


def seen_is_due(user_session: UserSession, *, now: datetime) -> bool:
    return now - user_session.last_seen_at >= SEEN_RESOLUTION


def record_seen(session: Session, session_id: int, *, now: datetime) -> None:
    """The session was used now: its idle timeout starts again."""
    session.execute(update(UserSession).where(col(UserSession.id) == session_id).values(last_seen_at=now))
    session.commit()


def live_sessions(session: Session, user_id: int, *, now: datetime, idle: timedelta) -> list[UserSession]:
    return list(
        session.exec(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                col(UserSession.revoked_at).is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > now - idle,
            )
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
    journal.note(session, "sign_out", session.get(User, user_id), at=now)
    session.commit()
