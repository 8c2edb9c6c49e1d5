"""Every table, gathered into the one metadata that Alembic compares against, and what the
comparison leaves out."""

from sqlalchemy.schema import SchemaItem

from app.articles.models import (
    Article,
    ArticleAuthor,
    ArticleMedia,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleTag,
    Correction,
)
from app.audit.models import AuditEntry
from app.auth.models import ApiKey, FailedSignIn, User, UserSession
from app.authors.models import Author
from app.caching.content_version import ContentPurge, ContentVersion
from app.caching.stored_answers import RenderedAnswer, RenderedAnswerKey
from app.changes.models import ArticleChange
from app.collections.models import Collection, CollectionItem, CollectionRevision, CollectionSchedule
from app.comments.models import Comment
from app.db.columns import Table
from app.media.models import Media
from app.outbox.models import Delivery, DeliveryAttempt, GoLiveWatermark, OutboxEvent
from app.readership.models import ArticleViews
from app.related.models import ArticleEmbedding, ArticleTerm, EmbeddingPending, RelatedPin, TermDocumentCount
from app.related.semantic import pgvector
from app.taxonomy.models import Section, Tag
from app.webhooks.models import WebhookEndpoint

metadata = Table.metadata

# Tables the migrations manage by hand because their shape differs per database.
UNMODELLED_TABLES = ("article_search",)
# Added by `pgvector.ensure` only where the server offers the extension.
UNMODELLED_COLUMNS = {("article_embedding", pgvector.COLUMN)}
UNMODELLED_INDEXES = {pgvector.INDEX}


def include_object(
    obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    """Keep the full-text index (and FTS5's shadow tables) and the pgvector column out of model comparisons."""
    table = obj.table.name if type_ in ("column", "index") and hasattr(obj, "table") else name
    if (type_ == "column" and (table, name) in UNMODELLED_COLUMNS) or (type_ == "index" and name in UNMODELLED_INDEXES):
        return False
    return not (table or "").startswith(UNMODELLED_TABLES)


__all__ = [
    "AuditEntry",
    "ApiKey",
    "FailedSignIn",
    "User",
    "UserSession",
    "Article",
    "ArticleAuthor",
    "ArticleChange",
    "ArticleMedia",
    "ArticleRevision",
    "ArticleSlugRedirect",
    "ArticleTag",
    "Author",
    "Collection",
    "CollectionItem",
    "CollectionRevision",
    "CollectionSchedule",
    "Comment",
    "ContentPurge",
    "ContentVersion",
    "Correction",
    "RenderedAnswer",
    "RenderedAnswerKey",
    "Delivery",
    "DeliveryAttempt",
    "GoLiveWatermark",
    "Media",
    "OutboxEvent",
    "ArticleTerm",
    "ArticleViews",
    "ArticleEmbedding",
    "EmbeddingPending",
    "RelatedPin",
    "TermDocumentCount",
    "Section",
    "Tag",
    "WebhookEndpoint",
    "include_object",
    "metadata",
]
