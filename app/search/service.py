"""Keeping the search index and the term vectors in step with articles."""

from sqlalchemy import delete, text
from sqlmodel import Session, select

from app.articles.blocks import body_adapter, readable_text
from app.articles.models import Article
from app.search.fulltext import index_for
from app.search.models import ArticleTerm
from app.search.terms import term_weights


def _texts(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "subtitle": article.subtitle or "",
        "body": readable_text(body_adapter.validate_python(article.body)),
    }


def _count_documents(session: Session, terms: list[str], change: int) -> None:
    if not terms:
        return
    # Sorted, so concurrent writers take row locks in one order and never deadlock.
    session.execute(
        text(
            "INSERT INTO term_document_count (term, documents) VALUES (:term, :change) "
            "ON CONFLICT (term) DO UPDATE SET documents = term_document_count.documents + :change"
        ),
        [{"term": term, "change": change} for term in sorted(terms)],
    )


def store_terms(session: Session, article: Article, texts: dict[str, str]) -> None:
    old = list(session.exec(select(ArticleTerm.term).where(ArticleTerm.article_id == article.id)).all())
    session.execute(delete(ArticleTerm).where(ArticleTerm.article_id == article.id))
    _count_documents(session, old, -1)
    weights = term_weights(**texts)
    session.add_all(ArticleTerm(article_id=article.id, term=term, weight=weight) for term, weight in weights.items())
    _count_documents(session, list(weights), +1)


def index_article(session: Session, article: Article) -> None:
    """Update the article's search entry and term vector; every write path calls this inside its transaction."""
    texts = _texts(article)
    index_for(session).store(session, article.id, **texts)
    store_terms(session, article, texts)


def unindex_article(session: Session, article_id: int) -> None:
    index_for(session).remove(session, article_id)
    old = list(session.exec(select(ArticleTerm.term).where(ArticleTerm.article_id == article_id)).all())
    _count_documents(session, old, -1)


def reindex(session: Session, *, full_text: bool = True, terms: bool = True, batch: int = 500) -> int:
    """Rebuild entries for every article, a batch at a time; for migrations and bulk loads."""
    ids = list(session.exec(select(Article.id).order_by(Article.id)).all())
    for start in range(0, len(ids), batch):
        for article in session.exec(select(Article).where(Article.id.in_(ids[start : start + batch]))).all():
            texts = _texts(article)
            if full_text:
                index_for(session).store(session, article.id, **texts)
            if terms:
                store_terms(session, article, texts)
        session.flush()
    return len(ids)
