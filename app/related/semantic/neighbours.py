"""Nearest neighbours in meaning: what a related lookup asks, and each worker's copy of the stored
embeddings that answers it (pgvector.py answers it inside PostgreSQL instead).

Up to `exact_limit` vectors the search is exact, one matrix product; above it an HNSW graph
(usearch) answers, built in a background thread while exact search goes on serving. The copy
follows the database by generation: a lookup first asks for the highest stored generation (one
index probe) and reads only the rows of that generation and later, so every worker, on every
machine, sees what the embedding worker stored at its next lookup.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, bindparam, func
from sqlmodel import col, select

from app.related.models import ArticleEmbedding
from app.related.semantic.model import DIMENSIONS, MODEL_ID

if TYPE_CHECKING:
    # numpy comes with the `semantic` extra; the API imports this module without it.
    import numpy as np

    Vector = np.ndarray[Any, np.dtype[np.float32]]

_LATEST = select(func.max(col(ArticleEmbedding.generation)))
_SINCE = select(ArticleEmbedding.article_id, ArticleEmbedding.vector, ArticleEmbedding.generation).where(
    col(ArticleEmbedding.generation) >= bindparam("generation"), col(ArticleEmbedding.model) == MODEL_ID
)
# Searched wider than asked on the graph, which is approximate.
_GRAPH_OVERSAMPLE = 2


@dataclass(frozen=True)
class Meaning:
    """An article's nearest neighbours in meaning, and its cosine similarity to any other articles."""

    near: list[int]
    similarities: Callable[[list[int]], dict[int, float]]


class Neighbours(Protocol):
    def around(self, connection: Connection, article_id: int, count: int) -> Meaning | None:
        """The `count` articles closest in meaning to this one (not itself); None until it has an embedding."""
        ...


class SemanticIndex:
    def __init__(self, *, exact_limit: int) -> None:
        import numpy as np

        self.exact_limit = exact_limit
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix: Vector = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._rows: dict[int, int] = {}
        self._generation: int | None = None
        self._graph: Any = None
        self._building = False
        # Rows stored while the graph was being built, added to it once it is ready.
        self._changed_while_building: set[int] = set()

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def approximate(self) -> bool:
        return self._graph is not None

    def refresh(self, connection: Connection) -> None:
        import numpy as np

        latest = connection.execute(_LATEST).scalar()
        if latest is None or latest == self._generation:
            return
        # The last generation seen is read again: another worker may have stored rows under it since.
        rows = connection.execute(_SINCE, {"generation": self._generation or 0}).all()
        self.add([row[0] for row in rows], [np.frombuffer(row[1], dtype=np.float32) for row in rows])
        self._generation = max([latest, *(row[2] for row in rows)])

    def add(self, article_ids: list[int], vectors: "list[Vector] | Vector") -> None:
        """Add or replace these articles' vectors (unit length)."""
        with self._lock:
            changed = [self._store(id, vector) for id, vector in zip(article_ids, vectors, strict=True)]
            if self._graph is not None:
                self._add_to_graph(changed)
            elif self._building:
                self._changed_while_building.update(changed)
            elif len(self._rows) > self.exact_limit:
                self._building = True
                threading.Thread(target=self._build_graph, name="semantic-index", daemon=True).start()

    def _store(self, article_id: int, vector: "Vector") -> int:
        import numpy as np

        row = self._rows.get(article_id)
        if row is None:
            row = len(self._rows)
            if row == len(self._ids):
                capacity = max(1024, 2 * row)
                self._ids = np.resize(self._ids, capacity)
                matrix = np.zeros((capacity, DIMENSIONS), dtype=np.float32)
                matrix[:row] = self._matrix[:row]
                self._matrix = matrix
            self._rows[article_id] = row
            self._ids[row] = article_id
        self._matrix[row] = vector
        return row

    def _new_graph(self) -> Any:
        from usearch.index import Index

        # Half-precision halves the memory; unit vectors lose nothing that ranking notices.
        return Index(ndim=DIMENSIONS, metric="cos", dtype="f16", connectivity=16, expansion_search=128)

    def _build_graph(self) -> None:
        import numpy as np

        with self._lock:
            count = len(self._rows)
            ids, matrix = self._ids[:count].astype(np.uint64), self._matrix[:count].copy()
        graph = self._new_graph()
        graph.add(ids, matrix, threads=1)
        with self._lock:
            self._graph = graph
            self._building = False
            self._add_to_graph(sorted(self._changed_while_building | set(range(count, len(self._rows)))))
            self._changed_while_building.clear()

    def _add_to_graph(self, rows: list[int]) -> None:
        for row in rows:
            key = int(self._ids[row])
            if self._graph.contains(key):
                self._graph.remove(key)
            self._graph.add(key, self._matrix[row], threads=1)

    def around(self, connection: Connection, article_id: int, count: int) -> Meaning | None:
        self.refresh(connection)
        vector = self.vector(article_id)
        if vector is None:
            return None
        near = [id for id in self.nearest(vector, count + 1) if id != article_id][:count]
        return Meaning(near, lambda ids: self.similarities(vector, ids))

    def vector(self, article_id: int) -> "Vector | None":
        with self._lock:
            row = self._rows.get(article_id)
            return None if row is None else self._matrix[row].copy()

    def nearest(self, vector: "Vector", count: int) -> dict[int, float]:
        """The `count` articles closest to `vector`, with their cosine similarity."""
        import numpy as np

        with self._lock:
            if self._graph is not None:
                matches = self._graph.search(vector, count * _GRAPH_OVERSAMPLE, threads=1)
                found = {
                    int(key): 1.0 - float(distance)
                    for key, distance in zip(matches.keys, matches.distances, strict=True)
                }
                return dict(sorted(found.items(), key=lambda item: -item[1])[:count])
            similarities = self._matrix[: len(self._rows)] @ vector
            ids = self._ids[: len(self._rows)]
        if not len(similarities):
            return {}
        top = np.argpartition(-similarities, min(count, len(similarities) - 1))[:count]
        return {int(ids[i]): float(similarities[i]) for i in top}

    def similarities(self, vector: "Vector", article_ids: list[int]) -> dict[int, float]:
        """Cosine similarity of `vector` to each of these articles that has an embedding."""
        with self._lock:
            rows = {article_id: self._rows[article_id] for article_id in article_ids if article_id in self._rows}
            return {article_id: float(self._matrix[row] @ vector) for article_id, row in rows.items()}
