"""Limits on guessing: failed sign-ins (a password or a second factor's code) and password reset
requests, counted per account and per network in a sliding window, each attempt under its own count."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.errors import TooManySignIns
from app.auth.models import FailedSignIn
from app.auth.users import normal_email
from app.core.hashing import keyed_digest
from app.core.networks import network_of
from app.core.settings import Settings

SIGN_IN = "sign_in"
RESET = "reset"
_WHAT = {SIGN_IN: "failed sign-ins", RESET: "password reset requests"}


@dataclass(frozen=True)
class Attempts:
    """Whose attempts: keyed digests, so the limits work for addresses no account has, without storing them."""

    email_hash: str
    network_hash: str
    attempt: str = SIGN_IN

    @classmethod
    def of(cls, settings: Settings, *, email: str, client_address: str, attempt: str = SIGN_IN) -> "Attempts":
        secret = settings.secret_key.get_secret_value()
        return cls(
            email_hash=keyed_digest(secret, "sign-in-email", normal_email(email)),
            network_hash=keyed_digest(secret, "network", network_of(client_address)),
            attempt=attempt,
        )


def check_limits(session: Session, attempts: Attempts, *, now: datetime, settings: Settings) -> None:
    """429 when the account or the network has used up its attempts of this kind in the window."""
    window = timedelta(seconds=settings.sign_in_limit_window_seconds)
    for column, value, limit, what in (
        (FailedSignIn.email_hash, attempts.email_hash, settings.sign_in_limit_per_account, "this account"),
        (FailedSignIn.network_hash, attempts.network_hash, settings.sign_in_limit_per_network, "your network"),
    ):
        used, oldest = session.exec(
            select(func.count(), func.min(FailedSignIn.created_at)).where(
                column == value, FailedSignIn.attempt == attempts.attempt, col(FailedSignIn.created_at) > now - window
            )
        ).one()
        if used >= limit:
            reset = max(1, int((oldest + window - now).total_seconds()) + 1)
            raise TooManySignIns(
                f"Too many {_WHAT[attempts.attempt]} for {what}; try again in {reset} seconds.", retry_after=reset
            )


def count_attempt(session: Session, attempts: Attempts, *, now: datetime) -> None:
    """Count one against the limits, in the caller's transaction."""
    session.add(
        FailedSignIn(
            email_hash=attempts.email_hash, network_hash=attempts.network_hash, attempt=attempts.attempt, created_at=now
        )
    )


def forget_attempts(session: Session, attempts: Attempts) -> None:
    """A success clears the account's failures; the network's stay counted."""
    session.execute(
        delete(FailedSignIn).where(
            col(FailedSignIn.email_hash) == attempts.email_hash, col(FailedSignIn.attempt) == attempts.attempt
        )
    )
