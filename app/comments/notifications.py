"""Reply notifications: the signed link in each that stops them."""

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlmodel import Session, col

from app.comments.errors import InvalidUnsubscribeToken
from app.comments.models import Comment
from app.core.settings import Settings

_SALT = "byline.comment-unsubscribe"
# An unsubscribe link outlives the notification by far, but not forever.
LINK_LIFETIME = timedelta(days=365)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def unsubscribe_url(comment_id: int, *, settings: Settings) -> str:
    # Names one subscription (the comment replied to), never the address; signed, so it cannot be altered.
    return f"{settings.base_url}/api/v1/comments/unsubscribe?token={_serializer(settings).dumps(comment_id)}"


def subscribed_comment(token: str, *, settings: Settings) -> int | None:
    """The comment whose reply notifications the link stops, or None if it is forged or has expired."""
    try:
        return int(_serializer(settings).loads(token, max_age=int(LINK_LIFETIME.total_seconds())))
    except BadSignature:  # expired ones included
        return None


def unsubscribe(session: Session, token: str, *, settings: Settings) -> None:
    """Stop reply notifications for the comment the link was sent about; no account needed."""
    comment_id = subscribed_comment(token, settings=settings)
    if comment_id is None:
        raise InvalidUnsubscribeToken("This unsubscribe link is not valid or has expired.")
    session.execute(update(Comment).where(col(Comment.id) == comment_id).values(notify_replies=False))
    session.commit()
