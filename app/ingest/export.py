"""Every article in the ingest shape, for `byline export` and GET /api/v1/export/articles.ndjson:
read in keyset batches, so an archive of any size streams in constant memory."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.articles.models import Article
from app.articles.service import full_loading
from app.articles.visibility import Reader, visible
from app.comments.models import Comment
from app.ingest.comments import comment_key
from app.related.models import RelatedPin

BATCH = 500


def _author(author: Any) -> dict[str, Any]:
    return {
        "name": author.name,
        "slug": author.slug,
        "role": author.role,
        "bio": author.bio,
        "avatar_url": author.avatar_url,
        "links": author.links,
    }


def _comments(comments: list[Comment], *, with_emails: bool) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in comments}
    return [
        {
            "external_id": comment_key(c),
            "parent_external_id": comment_key(by_id[c.parent_id]) if c.parent_id in by_id else None,
            "author_name": c.author_name,
            "author_email": c.author_email if with_emails else "",
            "author_url": c.author_url,
            "content": c.content,
            "status": c.status,
            "created_at": c.created_at,
        }
        for c in comments
    ]


def _record(article: Article, related: list[str], comments: list[Comment], *, with_emails: bool) -> dict[str, Any]:
    return {
        "external_id": article.external_id,
        "slug": article.slug,
        "title": article.title,
        "subtitle": article.subtitle,
        "excerpt": article.excerpt,
        "body": article.body,
        "featured_image": article.featured_image,
        "authors": [_author(author) for author in article.authors],
        "section": {"name": article.section.name, "slug": article.section.slug} if article.section else None,
        "tags": [tag.name for tag in article.tags],
        "status": article.status,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "embargo_until": article.embargo_until,
        "comments_open": article.comments_open,
        "canonical_url": article.canonical_url,
        "corrections": [{"text": c.text, "published_at": c.published_at} for c in article.corrections],
        "related": related,
        "comments": _comments(comments, with_emails=with_emails),
    }


def export_records(
    session: Session,
    *,
    now: datetime,
    reader: Reader,
    updated_since: datetime | None = None,
    with_emails: bool = True,
    batch: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """The articles the reader may see, of every status, by id, each with its comments (every status)
    and its related pins among those articles. Without `with_emails`, commenters' addresses are left out."""
    after = 0
    while True:
        query = select(Article).where(col(Article.id) > after, visible(now, reader))
        if updated_since is not None:
            query = query.where(col(Article.updated_at) >= updated_since)
        articles = list(
            session.exec(query.order_by(col(Article.id)).limit(batch).options(*full_loading())).unique().all()
        )
        if not articles:
            return
        ids = [article.id for article in articles]
        related: dict[int, list[str]] = {}
        pins = (
            select(RelatedPin.article_id, Article.slug)
            .join(Article, col(Article.id) == RelatedPin.related_id)
            .where(col(RelatedPin.article_id).in_(ids), visible(now, reader))
            .order_by(col(RelatedPin.article_id), col(RelatedPin.position))
        )
        for article_id, slug in session.exec(pins):
            related.setdefault(article_id, []).append(slug)
        comments: dict[int, list[Comment]] = {}
        for comment in session.exec(select(Comment).where(col(Comment.article_id).in_(ids)).order_by(col(Comment.id))):
            comments.setdefault(comment.article_id, []).append(comment)
        for article in articles:
            yield _record(article, related.get(article.id, []), comments.get(article.id, []), with_emails=with_emails)
        # What was written is not needed again: the session must not grow with the archive.
        session.expunge_all()
        after = ids[-1]
