"""Tables behind related-article lookups: term vectors, document frequencies, editors' pins, embeddings."""

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary
from sqlmodel import Field

from app.db.columns import Table


class ArticleTerm(Table, table=True):
    """One stemmed term of an article with its unit-normalised weight."""

    __tablename__ = "article_term"
    __table_args__ = (
        # A term's heaviest postings come straight off this index, best first.
        Index("ix_article_term_term_weight_article_id", "term", "weight", "article_id"),
        # On SQLite the primary key is the table: an import writes two B-trees per posting, not three.
        {"sqlite_with_rowid": False},
    )

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    term: str = Field(max_length=64, primary_key=True)
    weight: float


class TermDocumentCount(Table, table=True):
    """How many articles use a term: common terms say little about what an article is about."""

    __tablename__ = "term_document_count"

    term: str = Field(max_length=64, primary_key=True)
    documents: int = 0


class RelatedPin(Table, table=True):
    """An article an editor placed in another's "Related Articles" block, in their order."""

    __tablename__ = "related_pin"

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    related_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    position: int = Field(ge=0)


class ArticleEmbedding(Table, table=True):
    """An article's sentence embedding: unit-length float32, from the text whose hash it keeps."""

    __tablename__ = "article_embedding"

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    model: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # Raised with every batch stored, so each worker's index reads only what changed since it last looked.
    generation: int = Field(index=True)


class EmbeddingPending(Table, table=True):
    """An article whose text changed since it was embedded; the worker embeds it and removes the row."""

    __tablename__ = "embedding_pending"

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    # Of the text that needs embedding; "" when the worker should take whatever the text is then.
    content_hash: str = Field(max_length=64)
