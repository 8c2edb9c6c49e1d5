"""Keeping the full-text index in step with articles, and finding articles in it."""

from collections.abc import Iterable

from sqlmodel import Session, select

from app.articles.blocks import body_adapter, readable_text
from app.articles.models import Article
from app.search.fulltext import index_for


def index_article(session: Session, article: Article) -> None:
    """Store the article's searchable text; called by every write path, inside its transaction."""
    index_for(session).store(
        session,
        article.id,
        title=article.title,
        subtitle=article.subtitle or "",
        body=readable_text(body_adapter.validate_python(article.body)),
    )


def unindex_article(session: Session, article_id: int) -> None:
    index_for(session).remove(session, article_id)


def reindex(session: Session, article_ids: Iterable[int] | None = None, *, batch: int = 500) -> int:
    """Rebuild index entries (all of them, or some), a batch at a time; for migrations and bulk loads."""
    query = select(Article.id).order_by(Article.id)
    if article_ids is not None:
        query = query.where(Article.id.in_(list(article_ids)))
    ids = list(session.exec(query).all())
    for start in range(0, len(ids), batch):
        for article in session.exec(select(Article).where(Article.id.in_(ids[start : start + batch]))).all():
            index_article(session, article)
    return len(ids)
