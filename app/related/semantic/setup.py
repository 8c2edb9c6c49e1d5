"""Which nearest-neighbour search a worker uses, chosen once at start-up."""

from sqlalchemy import Engine

from app.related.semantic import model, pgvector
from app.related.semantic.neighbours import Neighbours, SemanticIndex
from app.settings import Settings


def neighbours_for(engine: Engine, settings: Settings) -> Neighbours | None:
    """pgvector where the database uses it, else the worker's own index; None without the
    `semantic` extra or with BYLINE_SEMANTIC=false."""
    if not (settings.semantic and model.available()):
        return None
    if pgvector.detect(engine):
        return pgvector.DatabaseNeighbours()
    return SemanticIndex(exact_limit=settings.semantic_exact_limit)
