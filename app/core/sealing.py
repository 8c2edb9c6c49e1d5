"""Secrets the server must read back later (a second factor's seed, a link waiting in the outbox),
stored encrypted under a key derived from BYLINE_SECRET_KEY: a copy of the database alone reveals none."""

import base64
import hashlib
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


@cache
def _cipher(secret_key: str, purpose: str) -> AESGCM:
    # One key per purpose: a sealed value of one kind never opens as another.
    return AESGCM(hashlib.sha256(f"byline seal\0{purpose}\0{secret_key}".encode()).digest())


def seal(secret_key: str, purpose: str, value: str) -> str:
    nonce = os.urandom(_NONCE)
    return base64.urlsafe_b64encode(nonce + _cipher(secret_key, purpose).encrypt(nonce, value.encode(), None)).decode()


def unseal(secret_key: str, purpose: str, sealed: str) -> str | None:
    """None when the value was sealed under another key or purpose, or altered."""
    try:
        raw = base64.urlsafe_b64decode(sealed)
        return _cipher(secret_key, purpose).decrypt(raw[:_NONCE], raw[_NONCE:], None).decode()
    except (InvalidTag, ValueError):
        return None
