"""Issuing, verifying and revoking API keys."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, func, update
from sqlmodel import Session, col, select

from app.auth.errors import KeyNameTaken, KeyNotFound, KeyRevoked
from app.auth.models import ApiKey, Scope, User
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidField
from app.core.hashing import keyed_digest
from app.db.columns import core_table, from_columns

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
    owner_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plain value, which is never shown again."""
    if session.exec(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
        raise KeyNameTaken(f"A key named '{name}' already exists.", name=name)
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.is_active:
            raise InvalidField("#/owner_id", f"No active account has the id {owner_id}.")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        owner_id=owner_id,
        key_hash=hash_key(secret_key, plain),
        scopes=sorted({scope.value for scope in scopes}),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(key)
    session.commit()
    return key, plain


# Built once and run on a plain connection: every request that presents a key runs it, and
# building it, or the ORM's path for it, cost more than the statement.
_KEYS, _OWNERS = core_table(ApiKey), core_table(User)
_ACTIVE_KEY = (
    _KEYS.outerjoin(_OWNERS, _OWNERS.c.id == _KEYS.c.owner_id).select().where(_KEYS.c.key_hash == bindparam("key_hash"))
)


def find_active_key(
    connection: Connection, *, secret_key: str, presented: str, now: datetime
) -> tuple[ApiKey, User | None] | None:
    """The live key presented, with its owner; a deactivated owner's keys stop working with them."""
    row = connection.execute(_ACTIVE_KEY, {"key_hash": hash_key(secret_key, presented)}).first()
    if row is None:
        return None
    key, owner_starts = from_columns(ApiKey, row)
    owner = None if key.owner_id is None else from_columns(User, row, owner_starts)[0]
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if owner is not None and not owner.is_active:
        return None
    return key, owner


def use_is_due(key: ApiKey, *, now: datetime) -> bool:
    return key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION


def record_use(session: Session, key: ApiKey, *, now: datetime) -> None:
    session.execute(update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now))
    session.commit()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.name)).all())


def keys_page(session: Session, *, cursor: str | None, limit: int) -> tuple[list[ApiKey], int, str | None]:
    total = session.exec(select(func.count()).select_from(ApiKey)).one()
    query = select(ApiKey)
    if cursor:
        _, after_id = decode_cursor(cursor, int)
        query = query.where(ApiKey.id > after_id)
    rows = list(session.exec(query.order_by(col(ApiKey.id)).limit(limit + 1)).all())
    page = rows[:limit]
    return page, total, encode_cursor(page[-1].id, page[-1].id) if len(rows) > limit else None


def get_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise KeyNotFound(f"No key has the id {key_id}.")
    return key


def rotate_key(session: Session, key_id: int, *, secret_key: str) -> tuple[ApiKey, str]:
    """A new value for the key, which keeps its name, scopes and owner; the old value fails at once."""
    key = get_key(session, key_id)
    if key.revoked_at is not None:
        raise KeyRevoked(f"The key '{key.name}' is revoked.")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key.key_hash = hash_key(secret_key, plain)
    session.add(key)
    session.commit()
    return key, plain


def revoke_key(session: Session, name: str, *, now: datetime) -> ApiKey:
    key = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if key is None:
        raise KeyNotFound(f"No key is named '{name}'.", name=name)
    return revoke(session, key, now=now)


def revoke(session: Session, key: ApiKey, *, now: datetime) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = now
        session.add(key)
        session.commit()
    return key
