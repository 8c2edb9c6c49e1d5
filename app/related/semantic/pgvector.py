"""Nearest neighbours in meaning inside PostgreSQL, where the server has the pgvector extension.

Whenever the server offers pgvector, `byline db upgrade` adds an `embedding vector(384)` column to
`article_embedding`, with an HNSW index for cosine distance, and fills it from the stored vectors;
the embedding worker then writes both. API workers that find the column (at their first related
lookup) ask the database for neighbours and keep no copy of the vectors, so a worker's memory
does not grow with the archive and every worker on every machine sees a stored embedding at once.
Without the extension (Debian's PostgreSQL packages do not ship it) each worker keeps its own index.
"""

import array
import logging

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType

from app.related.semantic.model import DIMENSIONS, MODEL_ID
from app.related.semantic.neighbours import Meaning

log = logging.getLogger("byline.related")

COLUMN = "embedding"
INDEX = "ix_article_embedding_meaning"
# Searched wider than asked: the graph is approximate, and rows of another model are filtered after it.
_SEARCH_WIDTH = 2


class Vector(UserDefinedType[str]):
    """pgvector's type, so reflecting the table (model comparisons) knows it instead of warning."""

    cache_ok = True

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        self.dimensions = dimensions

    def get_col_spec(self, **kw: object) -> str:
        return f"vector({self.dimensions})"


ischema_names.setdefault("vector", Vector)

_OFFERED = text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
_IN_USE = text(
    "SELECT 1 FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = 'article_embedding' AND column_name = :column"
).bindparams(column=COLUMN)
_HAS_EMBEDDING = text(
    "SELECT 1 FROM article_embedding WHERE article_id = :article_id AND model = :model AND embedding IS NOT NULL"
)
# The article's own vector comes from a subquery run once, so the index scan can order by distance to it.
_NEAREST = text(
    "SELECT article_id, 1 - (embedding <=> (SELECT embedding FROM article_embedding WHERE article_id = :article_id)) "
    "FROM article_embedding WHERE model = :model AND article_id <> :article_id "
    "ORDER BY embedding <=> (SELECT embedding FROM article_embedding WHERE article_id = :article_id) LIMIT :count"
)
_SIMILARITIES = text(
    "SELECT article_id, 1 - (embedding <=> (SELECT embedding FROM article_embedding WHERE article_id = :article_id)) "
    "FROM article_embedding WHERE article_id IN :ids AND embedding IS NOT NULL"
).bindparams(bindparam("ids", expanding=True))
_UNFILLED = text(
    "SELECT article_id, vector FROM article_embedding WHERE embedding IS NULL AND model = :model LIMIT 1000"
)
_FILL = text("UPDATE article_embedding SET embedding = CAST(:embedding AS vector) WHERE article_id = :article_id")


def offered(connection: Connection) -> bool:
    """Whether the server has the extension installed, whether or not this database uses it yet."""
    return connection.dialect.name == "postgresql" and connection.execute(_OFFERED).first() is not None


def in_use(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.execute(_IN_USE).first() is not None


def literal(vector: bytes) -> str:
    """A stored float32 vector in pgvector's text form."""
    return "[" + ",".join(repr(value) for value in array.array("f", vector)) + "]"


def ensure(engine: Engine) -> bool:
    """Put pgvector to use if the server offers it, filling the column for vectors stored before;
    returns whether it is in use. Idempotent: every `byline db upgrade` runs it."""
    with engine.begin() as connection:
        if not offered(connection):
            return False
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
        connection.execute(
            text(f"ALTER TABLE article_embedding ADD COLUMN IF NOT EXISTS {COLUMN} {Vector().get_col_spec()}")
        )
        connection.execute(
            text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON article_embedding USING hnsw ({COLUMN} vector_cosine_ops)")
        )
    while True:
        with engine.begin() as connection:
            rows = connection.execute(_UNFILLED, {"model": MODEL_ID}).all()
            if not rows:
                return True
            store(connection, [(id, vector) for id, vector in rows])


def store(connection: Connection, vectors: list[tuple[int, bytes]]) -> None:
    """Give these stored embeddings (article id, float32 bytes) their pgvector column too."""
    connection.execute(_FILL, [{"article_id": id, "embedding": literal(vector)} for id, vector in vectors])


class DatabaseNeighbours:
    """Neighbours from the HNSW index in PostgreSQL: three indexed statements a lookup, no vectors in memory."""

    def around(self, connection: Connection, article_id: int, count: int) -> Meaning | None:
        known = {"article_id": article_id, "model": MODEL_ID}
        if connection.execute(_HAS_EMBEDDING, known).first() is None:
            return None
        # The graph returns at most ef_search rows; a setting, so it cannot be a bound parameter.
        connection.execute(text(f"SET LOCAL hnsw.ef_search = {int(count * _SEARCH_WIDTH)}"))
        near = [row[0] for row in connection.execute(_NEAREST, known | {"count": count})]

        def similarities(ids: list[int]) -> dict[int, float]:
            if not ids:
                return {}
            rows = connection.execute(_SIMILARITIES, {"article_id": article_id, "ids": ids})
            return {id: float(similarity) for id, similarity in rows}

        return Meaning(near, similarities)


def detect(connection: Connection) -> bool:
    """Whether this database's embeddings are searched by pgvector; a server that offers it to a
    database not yet upgraded is named in the log."""
    if in_use(connection):
        log.info("related articles: nearest neighbours in meaning from pgvector")
        return True
    if offered(connection):
        log.warning("the database server offers pgvector; run `byline db upgrade` to use it")
    return False
