"""Which nearest-neighbour search a worker uses: pgvector where the database uses it, else its own index."""

import threading

from sqlalchemy import Connection, Engine

from app.core.settings import Settings
from app.related.semantic import model, pgvector
from app.related.semantic.neighbours import Meaning, Neighbours, SemanticIndex


class DetectedNeighbours:
    """Decides at the first lookup, on that lookup's own connection, so a worker starts without
    touching the database (which may be down at the time) and never asks again."""

    def __init__(self, *, exact_limit: int) -> None:
        self._exact_limit = exact_limit
        self._lock = threading.Lock()
        self.chosen: Neighbours | None = None

    def around(self, connection: Connection, article_id: int, count: int) -> Meaning | None:
        with self._lock:
            if self.chosen is None:
                self.chosen = (
                    pgvector.DatabaseNeighbours()
                    if pgvector.detect(connection)
                    else SemanticIndex(exact_limit=self._exact_limit)
                )
        return self.chosen.around(connection, article_id, count)


def neighbours_for(engine: Engine, settings: Settings) -> Neighbours | None:
    """None without the `semantic` extra or with BYLINE_SEMANTIC=false."""
    if not (settings.semantic and model.available()):
        return None
    if engine.dialect.name == "postgresql":
        return DetectedNeighbours(exact_limit=settings.semantic_exact_limit)
    return SemanticIndex(exact_limit=settings.semantic_exact_limit)
