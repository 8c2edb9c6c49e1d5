"""Links sent by email to act on an account without its password, an invitation or a password reset:
one machinery for both. A random token of which only a keyed hash is stored, expiring, used once,
and void as soon as a newer link of the same purpose is sent to the account."""

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlmodel import Session, col, select

from app.auth.errors import LinkInvalid
from app.auth.models import AccountToken, User
from app.core.hashing import keyed_digest


class Purpose(StrEnum):
    invite = "invite"
    reset = "reset"


def _hash(secret_key: str, purpose: Purpose, token: str) -> str:
    # 256 random bits: a keyed fast hash suffices, as for sessions and API keys.
    return keyed_digest(secret_key, f"account-link:{purpose}", token)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def store_link(
    session: Session, user: User, purpose: Purpose, token: str, *, secret_key: str, lifetime: timedelta, now: datetime
) -> datetime:
    """In the caller's transaction, replacing the account's earlier links of this purpose. Returns when it expires."""
    session.execute(
        delete(AccountToken).where(col(AccountToken.user_id) == user.id, col(AccountToken.purpose) == purpose.value)
    )
    expires_at = now + lifetime
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=_hash(secret_key, purpose, token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return expires_at


def use_link(session: Session, purpose: Purpose, token: str, *, secret_key: str, now: datetime) -> User:
    """The account the link is for; the link is spent in the caller's transaction."""
    found = session.exec(
        select(AccountToken, User)
        .join(User, col(User.id) == AccountToken.user_id)
        .where(AccountToken.token_hash == _hash(secret_key, purpose, token), AccountToken.purpose == purpose.value)
    ).first()
    if found is None or found[0].expires_at <= now:
        raise LinkInvalid("This link is unknown, already used, replaced by a newer one, or expired.")
    # One statement, so two requests racing with one link cannot both pass.
    spent = session.execute(delete(AccountToken).where(col(AccountToken.id) == found[0].id))
    if cast(CursorResult[Any], spent).rowcount != 1:
        raise LinkInvalid("This link has just been used.")
    return found[1]
