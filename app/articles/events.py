"""Article events in the outbox, for webhooks: what receivers are told when readers' view of an article changes.

Only articles readers can see (or will, once scheduled) make events: a draft's edits stay private."""

from datetime import datetime

from sqlmodel import Session

from app.articles.models import Article
from app.outbox import service as outbox


def announce(session: Session, topic: str, article: Article, *, now: datetime) -> None:
    outbox.emit(
        session,
        topic,
        {
            "article_id": article.id,
            "slug": article.slug,
            "title": article.title,
            "status": article.status_at(now).value,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "updated_at": article.updated_at.isoformat(),
        },
        now=now,
    )


def lifecycle_topic(*, was_published: bool, is_published: bool) -> str | None:
    """The event for a change, by the article's stored status before and after; a scheduled article
    counts as published from the moment it is scheduled."""
    if is_published:
        return "article.updated" if was_published else "article.published"
    return "article.unpublished" if was_published else None
