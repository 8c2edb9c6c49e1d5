"""Issuing, verifying and revoking API keys."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.errors import KeyNameTaken, KeyNotFound
from app.auth.models import ApiKey, Scope
from app.core.hashing import keyed_digest

KEY_PREFIX = "byl_"
# Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(secret_key: str, key: str) -> str:
    # Keys are 256-bit random, so a keyed fast hash suffices; the secret makes a leaked table useless.
    return keyed_digest(secret_key, "api-key", key)


def issue_key(
    session: Session,
    *,
    secret_key: str,
    name: str,
    scopes: list[Scope],
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plain value, which is never shown again."""
    if session.exec(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
        raise KeyNameTaken(f"A key named '{name}' already exists.", name=name)
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        key_hash=hash_key(secret_key, plain),
        scopes=sorted({scope.value for scope in scopes}),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(key)
    session.commit()
    return key, plain


def find_active_key(session: Session, *, secret_key: str, presented: str, now: datetime) -> ApiKey | None:
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(secret_key, presented))).first()
    if key is None or key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    return key


def use_is_due(key: ApiKey, *, now: datetime) -> bool:
    return key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION


def record_use(session: Session, key: ApiKey, *, now: datetime) -> None:
    session.execute(update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now))
    session.commit()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.name)).all())


def revoke_key(session: Session, name: str, *, now: datetime) -> ApiKey:
    key = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if key is None:
        raise KeyNotFound(f"No key is named '{name}'.", name=name)
    if key.revoked_at is None:
        key.revoked_at = now
        session.add(key)
        session.commit()
    return key
