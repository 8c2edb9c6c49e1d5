"""Resetting a forgotten password by email: the request answers the same whether or not an account
has the address, and the link it sends sets a new password, ends every session and signs in."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.auth import journal, limits, links, sessions
from app.auth.passwords import passwords
from app.auth.users import find_user, set_password
from app.core.settings import Settings
from app.mail import accounts as mail


def request_reset(session: Session, *, email: str, client_address: str, settings: Settings, now: datetime) -> None:
    """Queue the email for an active account. Every request counts against the account's and the
    network's limits (as sign-ins do, in a count of their own); an unknown address makes and seals
    a link too, so both answers take the same work."""
    attempts = limits.Attempts.of(settings, email=email, client_address=client_address, attempt=limits.RESET)
    limits.check_limits(session, attempts, now=now, settings=settings)
    limits.count_attempt(session, attempts, now=now)
    user = find_user(session, email)
    token = links.new_token()
    lifetime = timedelta(minutes=settings.password_reset_minutes)
    link = f"{settings.base_url}/desk/reset?token={token}"
    if user is not None and user.is_active:
        secret = settings.secret_key.get_secret_value()
        expires_at = links.store_link(
            session, user, links.Purpose.reset, token, secret_key=secret, lifetime=lifetime, now=now
        )
        mail.queue_link(
            session,
            to=user.email,
            name=user.name,
            kind="reset",
            link=link,
            expires_at=expires_at,
            settings=settings,
            now=now,
        )
    else:
        mail.seal_link(link, settings=settings)
    session.commit()


def confirm_reset(
    session: Session, *, token: str, password: str, user_agent: str, settings: Settings, now: datetime
) -> sessions.SignedIn | sessions.SecondFactorDue:
    """Set the new password and end every session of the account; then sign in (or ask for the
    second factor: a mailbox alone must not get past it)."""
    secret = settings.secret_key.get_secret_value()
    user = links.use_link(session, links.Purpose.reset, token, secret_key=secret, now=now)
    journal.note(session, "password_reset", user, at=now)
    set_password(session, user, password, passwords=passwords(settings), now=now, keep_session=None)
    return sessions.start_session(session, user, user_agent=user_agent, settings=settings, now=now)
