"""Every domain's tables, gathered into the one metadata that Alembic compares against."""

from app.articles.models import (
    Article,
    ArticleAuthor,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleTag,
    Correction,
    RenderedAnswer,
    RenderedAnswerKey,
)
from app.auth.models import ApiKey
from app.authors.models import Author
from app.caching.content_version import ContentVersion
from app.changes.models import ArticleChange
from app.comments.models import Comment
from app.db.columns import Table
from app.outbox.models import Delivery, DeliveryAttempt, GoLiveWatermark, OutboxEvent
from app.related.models import ArticleEmbedding, ArticleTerm, EmbeddingPending, RelatedPin, TermDocumentCount
from app.taxonomy.models import Section, Tag
from app.webhooks.models import WebhookEndpoint

metadata = Table.metadata

__all__ = [
    "ApiKey",
    "Article",
    "ArticleAuthor",
    "ArticleChange",
    "ArticleRevision",
    "ArticleSlugRedirect",
    "ArticleTag",
    "Author",
    "Comment",
    "ContentVersion",
    "Correction",
    "RenderedAnswer",
    "RenderedAnswerKey",
    "Delivery",
    "DeliveryAttempt",
    "GoLiveWatermark",
    "OutboxEvent",
    "ArticleTerm",
    "ArticleEmbedding",
    "EmbeddingPending",
    "RelatedPin",
    "TermDocumentCount",
    "Section",
    "Tag",
    "WebhookEndpoint",
    "metadata",
]
