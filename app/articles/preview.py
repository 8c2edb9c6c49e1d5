"""Signed, expiring preview links: anyone holding one may read that one unpublished article."""

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.articles.errors import InvalidPreviewToken

_SALT = "byline.article-preview"


def issue_preview_token(
    secret_key: str, article_id: int, *, now: datetime, lifetime: timedelta
) -> tuple[str, datetime]:
    token = URLSafeTimedSerializer(secret_key, salt=_SALT).dumps(
        {"article": article_id, "exp": (now + lifetime).timestamp()}
    )
    return token, now + lifetime


def preview_article_id(secret_key: str, token: str, *, now: datetime) -> int:
    """The article a token opens; forged, altered or expired tokens are refused."""
    try:
        claims = URLSafeTimedSerializer(secret_key, salt=_SALT).loads(token)
        article_id, expires = int(claims["article"]), float(claims["exp"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidPreviewToken("The preview token is not valid.") from None
    # Expiry is checked against the injected clock, not the signer's wall clock.
    if now.timestamp() >= expires:
        raise InvalidPreviewToken("The preview token has expired.")
    return article_id
