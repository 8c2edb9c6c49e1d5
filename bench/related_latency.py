"""Related-article lookups at scale with the semantic signal on: index load, graph build, recall of
the approximate index against exact search, and lookup latency with caches cold.

    .venv/bin/python -m bench.related_latency --articles 100000 --keep /tmp/related-100k.db
    .venv/bin/python -m bench.related_latency --articles 100000 --database-url postgresql://...

On a PostgreSQL server with pgvector (scripts/postgres.sh start --pgvector starts one), the
lookups ask its HNSW index, and recall is measured against exact search in memory.

Builds the benchmark newsroom (bench/newsroom.py) and gives every article a synthetic embedding:
unit vectors drawn around 2,000 topic centres, so neighbourhoods have the shape real ones have.
Embedding 100,000 real articles takes about 10 minutes on two cores; the index and the
lookups do the same work whatever the vectors mean. Each lookup asks for a different article with
a fresh content cache, so nothing it needs is cached.
"""

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.articles.models import Article
from app.articles.visibility import RELEASES
from app.caching.counts import ContentCache
from app.core.settings import Settings
from app.db.engines import build_engine
from app.related.models import ArticleEmbedding
from app.related.semantic import pgvector
from app.related.semantic.model import DIMENSIONS, MODEL_ID
from app.related.semantic.neighbours import SemanticIndex
from app.related.semantic.setup import DetectedNeighbours, neighbours_for
from app.related.service import related_articles
from app.wiring import upgrade_database
from bench.newsroom import has_articles, load

TOPICS = 2000


def store_embeddings(url: str) -> None:
    engine = build_engine(url)
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(TOPICS, DIMENSIONS)).astype(np.float32)
    with Session(engine) as session:
        if session.exec(select(func.count()).select_from(ArticleEmbedding)).one():
            return
        ids = list(session.exec(select(Article.id).order_by(col(Article.id))).all())
        for first in range(0, len(ids), 5000):
            batch = ids[first : first + 5000]
            vectors = centres[rng.integers(0, TOPICS, len(batch))] + 0.8 * rng.normal(size=(len(batch), DIMENSIONS))
            vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
            rows = [
                {"article_id": i, "model": MODEL_ID, "content_hash": "", "vector": v.tobytes(), "generation": 1}
                for i, v in zip(batch, vectors, strict=True)
            ]
            session.execute(insert(ArticleEmbedding), rows)
            session.commit()
        print(f"  stored {len(ids):,} synthetic embeddings", flush=True)
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--database-url", help="An empty PostgreSQL database; a SQLite file by default.")
    parser.add_argument("--keep", type=Path, help="SQLite file to reuse between runs (built if missing).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{args.keep or Path(folder) / 'related.db'}"
        upgrade_database(url)
        if not has_articles(url):
            load(url, args.articles)
        store_embeddings(url)
        engine = build_engine(url)
        began = time.perf_counter()
        if pgvector.ensure(engine):
            print(f"pgvector: column filled and indexed in {time.perf_counter() - began:.0f} s", flush=True)
        settings = Settings(_env_file=None)
        neighbours = neighbours_for(engine, settings)
        assert neighbours is not None, "needs the semantic extra"
        if isinstance(neighbours, DetectedNeighbours):
            with Session(engine) as session:
                neighbours.around(session.connection(), 0, 1)  # settles the choice
            assert neighbours.chosen is not None
            neighbours = neighbours.chosen
        exact = SemanticIndex(exact_limit=10**9)
        with Session(engine) as session:
            if isinstance(neighbours, SemanticIndex):
                began = time.perf_counter()
                neighbours.refresh(session.connection())
                print(f"index: {len(neighbours):,} vectors loaded in {time.perf_counter() - began:.1f} s", flush=True)
            exact.refresh(session.connection())
            slugs = list(session.exec(select(Article.slug).where(Article.status == "published")).all())
        approximate = not isinstance(neighbours, SemanticIndex) or len(neighbours) > settings.semantic_exact_limit
        if isinstance(neighbours, SemanticIndex) and approximate:
            began = time.perf_counter()
            while not neighbours.approximate:
                time.sleep(0.5)
            print(f"HNSW graph built in {time.perf_counter() - began:.0f} s (in the background, 1 thread)")
        queries = random.Random(3).sample(slugs, min(args.lookups, len(slugs)))
        recall, found_ms, exact_ms = [], [], []
        rng = np.random.default_rng(11)
        with Session(engine) as session:
            connection = session.connection()
            for article_id in rng.choice(np.array(list(exact._rows)), 200, replace=False):
                began = time.perf_counter()
                found = neighbours.around(connection, int(article_id), 50)
                found_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                truth = exact.around(connection, int(article_id), 50)
                exact_ms.append((time.perf_counter() - began) * 1000)
                assert found is not None and truth is not None
                recall.append(len(set(found.near) & set(truth.near)) / 50)
        method = type(neighbours).__name__ + (" (HNSW)" if approximate else " (exact)")
        print(
            f"nearest 50 of {len(exact):,}: {method} p50 {percentile(found_ms, 0.5):.2f} ms, "
            f"p95 {percentile(found_ms, 0.95):.2f} ms, recall@50 vs exact {sum(recall) / len(recall):.3f}; "
            f"exact in memory p50 {percentile(exact_ms, 0.5):.1f} ms, p95 {percentile(exact_ms, 0.95):.1f} ms"
        )
        timings = []
        with Session(engine) as session:
            for slug in queries:
                began = time.perf_counter()
                related_articles(
                    session, slug, limit=5, now=datetime.now(UTC), cache=ContentCache(RELEASES), semantic=neighbours
                )
                timings.append((time.perf_counter() - began) * 1000)
        engine.dispose()
    print(
        f"related lookups ({engine.dialect.name}, {len(slugs):,} published, semantic on, caches cold): "
        f"p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
