"""Which articles need (re)embedding: write paths mark them in their own transaction, the worker clears them.

Only the hash of the text is compared, so a write that leaves the text alone (publishing, retagging)
queues nothing, and marking works whether or not the `semantic` extra is installed: installing it
later finds the queue ready.
"""

import hashlib

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.related.models import ArticleEmbedding
from app.search.fulltext import SearchEntry


def embedding_text(entry: SearchEntry) -> str:
    return ". ".join(part for part in (entry.title, entry.subtitle, entry.body) if part)


def content_hash(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


def mark(session: Session, entry: SearchEntry) -> None:
    """Queue the article unless its embedding is of this very text."""
    digest = content_hash(embedding_text(entry))
    embedded = session.exec(
        select(ArticleEmbedding.content_hash).where(col(ArticleEmbedding.article_id) == entry.article_id)
    ).first()
    if embedded == digest:
        return
    session.execute(
        text(
            "INSERT INTO embedding_pending (article_id, content_hash) VALUES (:article_id, :digest) "
            "ON CONFLICT (article_id) DO UPDATE SET content_hash = excluded.content_hash"
        ),
        {"article_id": entry.article_id, "digest": digest},
    )


def mark_new(session: Session, entries: list[SearchEntry]) -> None:
    """Queue articles just inserted (none has an embedding yet), in one statement."""
    session.execute(
        text("INSERT INTO embedding_pending (article_id, content_hash) VALUES (:article_id, :digest)"),
        [{"article_id": e.article_id, "digest": content_hash(embedding_text(e))} for e in entries],
    )


def mark_all(session: Session) -> None:
    """Queue every article, to be embedded with whatever text it has then (after a reindex or a model change)."""
    session.execute(
        text(
            "INSERT INTO embedding_pending (article_id, content_hash) SELECT id, '' FROM article "
            "ON CONFLICT (article_id) DO NOTHING"
        )
    )
