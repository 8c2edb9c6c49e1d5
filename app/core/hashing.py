"""Keyed digests: stored instead of secrets and personal data, useless without BYLINE_SECRET_KEY."""

import hashlib
import hmac


def keyed_digest(secret_key: str, purpose: str, value: str) -> str:
    # The purpose keeps digests of one kind from matching another kind's.
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
