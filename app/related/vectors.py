"""Term vectors: each article's weighted terms, and how many articles use each term."""

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, delete, func, insert, text, update
from sqlmodel import Session, col, select

from app.db.columns import core_table
from app.db.engines import bulk_insert
from app.related.models import ArticleTerm, TermDocumentCount
from app.related.terms import term_weights
from app.search.fulltext import SearchEntry

_TERMS = core_table(ArticleTerm)


def _weights(entry: SearchEntry) -> dict[str, float]:
    return term_weights(title=entry.title, subtitle=entry.subtitle, body=entry.body)


def _count_documents(session: Session, changes: Mapping[str, int]) -> None:
    """Move each term's document count by its change."""
    if not changes:
        return
    # Sorted, so concurrent writers take row locks in one order and never deadlock.
    ordered = sorted(changes.items())
    if session.get_bind().dialect.name == "postgresql":
        # One statement for the batch: an executemany would send one per term.
        session.execute(
            text(
                "INSERT INTO term_document_count (term, documents) "
                "SELECT * FROM unnest(CAST(:terms AS varchar[]), CAST(:changes AS integer[])) "
                "ON CONFLICT (term) DO UPDATE SET documents = term_document_count.documents + excluded.documents"
            ),
            {"terms": [term for term, _ in ordered], "changes": [change for _, change in ordered]},
        )
        return
    session.execute(
        text(
            "INSERT INTO term_document_count (term, documents) VALUES (:term, :change) "
            "ON CONFLICT (term) DO UPDATE SET documents = term_document_count.documents + :change"
        ),
        [{"term": term, "change": change} for term, change in ordered],
    )


def _terms_of(session: Session, article_id: int) -> list[str]:
    return list(session.exec(select(ArticleTerm.term).where(ArticleTerm.article_id == article_id)).all())


def store_vector(session: Session, entry: SearchEntry) -> None:
    """Bring the article's vector to its text: only the terms it gained, lost or weighs anew are
    written, and only the gained and lost move their document counts (an edit of a headline leaves
    the body's hundreds of terms as they were)."""
    stored = dict(
        session.exec(
            select(ArticleTerm.term, ArticleTerm.weight).where(ArticleTerm.article_id == entry.article_id)
        ).all()
    )
    weights = _weights(entry)
    lost = [term for term in stored if term not in weights]
    if lost:
        session.execute(
            delete(ArticleTerm).where(col(ArticleTerm.article_id) == entry.article_id, col(ArticleTerm.term).in_(lost))
        )
    reweighed = [{"stored_term": t, "new_weight": w} for t, w in weights.items() if t in stored and stored[t] != w]
    if reweighed:
        session.execute(
            update(_TERMS)
            .where(_TERMS.c.article_id == entry.article_id, _TERMS.c.term == bindparam("stored_term"))
            .values(weight=bindparam("new_weight")),
            reweighed,
        )
    gained = [t for t in weights if t not in stored]
    if gained:
        bulk_insert(
            session.connection(),
            _TERMS,
            [{"article_id": entry.article_id, "term": t, "weight": weights[t]} for t in gained],
        )
    _count_documents(session, dict.fromkeys(lost, -1) | dict.fromkeys(gained, +1))


def forget_vector(session: Session, article_id: int) -> None:
    """Uncount a deleted article's terms; its vector goes with the article."""
    _count_documents(session, dict.fromkeys(_terms_of(session, article_id), -1))


def clear_vectors(session: Session) -> None:
    session.execute(delete(ArticleTerm))
    session.execute(delete(TermDocumentCount))


def add_vectors(session: Session, entries: Iterable[SearchEntry]) -> None:
    """Vectors of articles that have none, in one statement; counts follow from `recount_documents`."""
    vectors = [{"article_id": e.article_id, "term": t, "weight": w} for e in entries for t, w in _weights(e).items()]
    bulk_insert(session.connection(), _TERMS, vectors)


def add_counted_vectors(session: Session, entries: Iterable[SearchEntry]) -> None:
    """Vectors of new articles, and their terms counted, in two statements for the whole batch."""
    vectors = {e.article_id: _weights(e) for e in entries}
    rows = [{"article_id": id, "term": t, "weight": w} for id, weights in vectors.items() for t, w in weights.items()]
    bulk_insert(session.connection(), _TERMS, rows)
    _count_documents(session, Counter(term for weights in vectors.values() for term in weights))


def recount_documents(session: Session) -> None:
    """Document counts from the vectors themselves, right whatever an interrupted load left behind."""
    session.execute(delete(TermDocumentCount))
    session.execute(
        insert(TermDocumentCount).from_select(
            ["term", "documents"], select(ArticleTerm.term, func.count()).group_by(ArticleTerm.term)
        )
    )
