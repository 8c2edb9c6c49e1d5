"""Keeping the search index and the term vectors in step with articles."""

from sqlalchemy import delete, func, insert, text
from sqlmodel import Session, select

from app import content_version
from app.articles.blocks import body_adapter, readable_text
from app.articles.models import Article
from app.search.fulltext import SearchEntry, index_for
from app.search.models import ArticleTerm, TermDocumentCount
from app.search.terms import term_weights


def _entry(article: Article) -> SearchEntry:
    return SearchEntry(
        article.id, article.title, article.subtitle or "", readable_text(body_adapter.validate_python(article.body))
    )


def _weights(entry: SearchEntry) -> dict[str, float]:
    return term_weights(title=entry.title, subtitle=entry.subtitle, body=entry.body)


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


def _store_terms(session: Session, entry: SearchEntry) -> None:
    old = list(session.exec(select(ArticleTerm.term).where(ArticleTerm.article_id == entry.article_id)).all())
    session.execute(delete(ArticleTerm).where(ArticleTerm.article_id == entry.article_id))
    _count_documents(session, old, -1)
    weights = _weights(entry)
    session.add_all(ArticleTerm(article_id=entry.article_id, term=term, weight=weight) for term, weight in weights.items())
    _count_documents(session, list(weights), +1)


def index_article(session: Session, article: Article) -> None:
    """Update the article's search entry and term vector; every write path calls this inside its transaction."""
    entry = _entry(article)
    index_for(session).store(session, [entry])
    _store_terms(session, entry)


def unindex_article(session: Session, article_id: int) -> None:
    index_for(session).remove(session, article_id)
    old = list(session.exec(select(ArticleTerm.term).where(ArticleTerm.article_id == article_id)).all())
    _count_documents(session, old, -1)


def reindex(session: Session, *, batch: int = 500) -> int:
    """Rebuild every article's search entry and term vector from nothing, a batch at a time; for
    upgrades and bulk loads. Document counts are recounted at the end, so they come out right
    whatever an interrupted load or a hand-edited database left behind."""
    index = index_for(session)
    index.clear(session)
    session.execute(delete(ArticleTerm))
    session.execute(delete(TermDocumentCount))
    ids = list(session.exec(select(Article.id).order_by(Article.id)).all())
    for start in range(0, len(ids), batch):
        entries = []
        for article in session.exec(select(Article).where(Article.id.in_(ids[start : start + batch]))).all():
            entries.append(_entry(article))
            session.expunge(article)
        if entries:
            index.store(session, entries)
        vectors = [{"article_id": e.article_id, "term": t, "weight": w} for e in entries for t, w in _weights(e).items()]
        if vectors:
            session.execute(insert(ArticleTerm), vectors)
    session.execute(
        insert(TermDocumentCount).from_select(
            ["term", "documents"], select(ArticleTerm.term, func.count()).group_by(ArticleTerm.term)
        )
    )
    # Related lists are built from the term vectors.
    content_version.bump(session)
    return len(ids)
