"""The events endpoints subscribe to, and the body each one is sent with."""

from datetime import datetime
from enum import StrEnum

import orjson

from app.core.settings import Settings


class WebhookEvent(StrEnum):
    article_published = "article.published"
    article_updated = "article.updated"
    article_unpublished = "article.unpublished"
    article_deleted = "article.deleted"
    comment_created = "comment.created"
    comment_approved = "comment.approved"
    collection_updated = "collection.updated"


# Sent to one endpoint by the `test` action, whatever it subscribes to.
PING = "webhook.ping"

# What a receiver may see of each outbox payload: ids, slugs, titles and times. A field that is not
# listed (a commenter's address, say) never leaves, whatever a future emitter adds to the payload.
_ARTICLE_FIELDS = ("article_id", "slug", "title", "status", "published_at", "updated_at")
_COMMENT_FIELDS = ("comment_id", "parent_id", "article_id", "article_slug", "article_title", "status", "created_at")
_COLLECTION_FIELDS = ("slug", "title", "updated_at")
_FIELDS = {
    **{event.value: _ARTICLE_FIELDS for event in WebhookEvent if event.value.startswith("article.")},
    **{event.value: _COMMENT_FIELDS for event in WebhookEvent if event.value.startswith("comment.")},
    WebhookEvent.collection_updated.value: _COLLECTION_FIELDS,
    PING: ("endpoint_id",),
}


def _resource_url(topic: str, data: dict, settings: Settings) -> str | None:
    api = f"{settings.base_url}/api/v1"
    # Comment events written before they named their article's slug have no thread URL to give.
    if topic.startswith("article."):
        return f"{api}/articles/{data['slug']}"
    if topic.startswith("collection."):
        return f"{api}/collections/{data['slug']}"
    if topic.startswith("comment."):
        return f"{api}/articles/{data['article_slug']}/comments" if "article_slug" in data else None
    return f"{api}/webhooks/{data['endpoint_id']}"


def body(topic: str, payload: dict, *, occurred_at: datetime, settings: Settings) -> str:
    """The JSON body: `type`, `timestamp` (when it happened) and `data`, as Standard Webhooks suggests."""
    data = {field: payload[field] for field in _FIELDS[topic] if field in payload}
    data["url"] = _resource_url(topic, data, settings)
    document = {"type": topic, "timestamp": occurred_at.isoformat().replace("+00:00", "Z"), "data": data}
    return orjson.dumps(document).decode()


def delivered_to_webhooks(topic: str) -> bool:
    return topic in _FIELDS
