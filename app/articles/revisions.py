"""Article revisions: a snapshot of the editable fields after every change, who made it and what changed."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.articles.errors import RevisionNotFound
from app.articles.models import Article, ArticleRevision


def snapshot(article: Article) -> dict:
    """The editable state of an article, in the shape clients send it."""
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": article.body,
        "featured_image": article.featured_image,
        "authors": [author.slug for author in article.authors],
        "section": article.section.slug if article.section else None,
        "tags": [tag.name for tag in article.tags],
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "embargo_until": article.embargo_until.isoformat() if article.embargo_until else None,
        "comments_open": article.comments_open,
        "canonical_url": article.canonical_url,
    }


def record_revision(
    session: Session, article: Article, *, before: dict, actor: str, now: datetime
) -> ArticleRevision | None:
    """Store what changed since `before`; nothing is stored when nothing changed."""
    after = snapshot(article)
    changes = {field: {"from": before.get(field), "to": value} for field, value in after.items() if before.get(field) != value}
    if not changes:
        return None
    latest = session.exec(select(func.max(ArticleRevision.number)).where(ArticleRevision.article_id == article.id)).one()
    revision = ArticleRevision(
        article_id=article.id, number=(latest or 0) + 1, actor=actor, created_at=now, changes=changes, snapshot=after
    )
    session.add(revision)
    session.flush()
    return revision


def list_revisions(session: Session, article: Article) -> list[ArticleRevision]:
    """Newest first; an article gathers revisions by the dozen, not by the thousand."""
    return list(
        session.exec(
            select(ArticleRevision)
            .where(ArticleRevision.article_id == article.id)
            .order_by(ArticleRevision.number.desc())
        ).all()
    )


def get_revision(session: Session, article: Article, number: int) -> ArticleRevision:
    revision = session.exec(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id, ArticleRevision.number == number)
    ).first()
    if revision is None:
        raise RevisionNotFound(f"Article '{article.slug}' has no revision {number}.", number=number)
    return revision


# Restoring brings back what was written, not where the article stands in its lifecycle.
RESTORED_FIELDS = ("title", "subtitle", "excerpt", "body", "featured_image", "authors", "section", "tags", "comments_open", "canonical_url")
