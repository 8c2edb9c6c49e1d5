"""Embedding articles off the request path: a batch at a time from the queue write paths fill.

Each batch is read, embedded with no transaction open (the model is the slow part, and SQLite
would otherwise hold its write lock throughout), then stored in one transaction that also
clears the batch from the queue. A process killed at any point loses at most the batch in hand;
running again resumes with what is still queued.
"""

import threading
from collections.abc import Callable

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from app.articles.models import Article
from app.articles.text import entry_of
from app.caching import content_version, keys
from app.related.models import ArticleEmbedding, EmbeddingPending
from app.related.semantic import pgvector
from app.related.semantic.model import MODEL_ID, Embedder
from app.related.semantic.pending import content_hash, embedding_text

SessionFactory = Callable[[], Session]

_STORE = text(
    "INSERT INTO article_embedding (article_id, model, content_hash, vector, generation) "
    "SELECT :article_id, :model, :content_hash, :vector, :generation "
    # An article deleted while its batch was being embedded is skipped, not a foreign-key failure.
    "WHERE EXISTS (SELECT 1 FROM article WHERE id = :article_id) "
    "ON CONFLICT (article_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash, "
    "vector = excluded.vector, generation = excluded.generation"
)
# Left queued if the text changed again meanwhile: that newer text is embedded next.
_CLEAR = text("DELETE FROM embedding_pending WHERE article_id = :article_id AND content_hash IN (:content_hash, '')")


def queue_missing(session: Session) -> int:
    """Queue every article without an embedding from the current model; returns how many are queued in all."""
    session.execute(
        text(
            "INSERT INTO embedding_pending (article_id, content_hash) SELECT id, '' FROM article a "
            "WHERE NOT EXISTS (SELECT 1 FROM article_embedding e WHERE e.article_id = a.id AND e.model = :model) "
            "ON CONFLICT (article_id) DO NOTHING"
        ),
        {"model": MODEL_ID},
    )
    session.commit()
    return pending_count(session)


def pending_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(EmbeddingPending)).one()


def embed_pending(session_factory: SessionFactory, batch_size: int, *, embedder: Embedder) -> int:
    """Embed and store up to `batch_size` queued articles; returns how many were taken (0: queue empty)."""
    with session_factory() as session:
        ids = list(
            session.exec(
                select(EmbeddingPending.article_id).order_by(col(EmbeddingPending.article_id)).limit(batch_size)
            ).all()
        )
        if not ids:
            return 0
        texts = {
            a.id: embedding_text(entry_of(a)) for a in session.exec(select(Article).where(col(Article.id).in_(ids)))
        }
    vectors = embedder.embed(list(texts.values()))
    with session_factory() as session:
        generation = session.exec(select(func.coalesce(func.max(col(ArticleEmbedding.generation)), 0))).one() + 1
        stored = [
            {
                "article_id": article_id,
                "model": MODEL_ID,
                "content_hash": content_hash(text_),
                "vector": vector.tobytes(),
                "generation": generation,
            }
            for (article_id, text_), vector in zip(texts.items(), vectors, strict=True)
        ]
        if stored:
            session.execute(_STORE, stored)
            if pgvector.in_use(session.connection()):
                pgvector.store(session.connection(), [(s["article_id"], s["vector"]) for s in stored])
            session.execute(
                _CLEAR, [{"article_id": s["article_id"], "content_hash": s["content_hash"]} for s in stored]
            )
        # Queued articles that no longer exist take their queue rows with them (ON DELETE CASCADE).
        # Related lists may change with every vector stored.
        content_version.bump(session, keys.ARTICLES)
        session.commit()
    return len(ids)


def watch_pending(
    session_factory: SessionFactory,
    batch_size: int,
    *,
    embedder: Embedder,
    interval: float,
    stop: threading.Event,
    embedded: Callable[[int], None] = lambda count: None,
) -> None:
    """Embed whatever write paths queue, looking again every `interval` seconds once the queue is empty."""
    while not stop.is_set():
        count = embed_pending(session_factory, batch_size, embedder=embedder)
        embedded(count)
        if not count:
            stop.wait(interval)
