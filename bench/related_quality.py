"""Related-article quality on real news, measured against a plain TF-IDF baseline.

    .venv/bin/uv pip install --python .venv/bin/python -e '.[bench]'
    .venv/bin/python -m bench.related_quality --sample 500
    .venv/bin/python -m bench.related_quality --sample 500 --semantic --seeds 5 --tune --keep /tmp/q.db

Ingests ../shared/data/news-category-10k.ndjson.gz through the normal write path with sections
and tags withheld (authors and dates kept, as an imported archive would have them), then asks
Byline for 5 related articles for a fixed random sample. precision@5 is the share of related
results whose held-out category matches the article's. The baseline ranks the same articles by
cosine similarity of scikit-learn TF-IDF vectors of title + body.

--semantic embeds every article first (the `semantic` extra, as `byline search embed` does) and
measures the lexical and the blended ranking side by side. --seeds N repeats the measurement on N
samples (seeds 42, 43, ...) and reports the mean and spread. --tune chooses the blend weights on
articles held out from every measured sample, by grid search, and measures with the best.
--corpus takes another ndjson.gz file; only its articles with a category are sampled.
"""

import argparse
import gzip
import itertools
import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlmodel import Session

from app.articles import editing
from app.articles.schemas import ArticleCreate
from app.articles.visibility import RELEASES
from app.authors.schemas import AuthorCreate
from app.caching.counts import ContentCache
from app.core.slugs import slugify
from app.db.engines import build_engine, refresh_planner_statistics
from app.directories.kinds import AUTHORS
from app.related import service as related_service
from app.related.service import compute_related, related_articles
from app.wiring import install_write_hooks, upgrade_database

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-category-10k.ndjson.gz"
K = 5


def corpus(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def ingest(url: str, items: list[dict]) -> dict[str, str]:
    """Load every item as a published article; returns slug -> held-out category."""
    engine = build_engine(url)
    now = datetime.now(UTC)
    categories: dict[str, str] = {}
    with Session(engine) as session:
        known: dict[str, str] = {}
        for n, item in enumerate(items):
            name = (item["author"] or "Staff").split(",")[0].strip()[:120] or "Staff"
            if name not in known:
                slug = f"{slugify(name)[:180] or 'author'}-{len(known)}"
                AUTHORS.add(session, AuthorCreate(name=name, slug=slug), now=now)
                known[name] = slug
            article = editing.add_article(
                session,
                ArticleCreate(
                    title=item["title"][:300] or "Untitled",
                    authors=[known[name]],
                    status="published",
                    published_at=item["published_at"],
                    body=[
                        {"type": "paragraph", "text": paragraph.strip()[:20_000]}
                        for paragraph in item["body"].split("\n\n")
                        if paragraph.strip()
                    ],
                ),
                now=now,
                actor="bench",
            )
            categories[article.slug] = item["category"]
            if n % 1000 == 999:
                session.commit()
                print(f"  ingested {n + 1:,}", flush=True)
        session.commit()
    refresh_planner_statistics(engine)
    engine.dispose()
    return categories


def baseline_precision(items: list[dict], sample: list[int]) -> float:
    texts = [f"{item['title']} {item['body']}" for item in items]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    hits = 0
    for index in sample:
        scores = linear_kernel(matrix[index], matrix).ravel()
        scores[index] = -1
        top = scores.argsort()[::-1][:K]
        hits += sum(items[i]["category"] == items[index]["category"] for i in top)
    return hits / (K * len(sample))


def embed_all(url: str, threads: int) -> None:
    from app.related.semantic import backfill, model

    engine = build_engine(url)
    embedder = model.Embedder(threads=threads)
    with Session(engine) as session:
        queued = backfill.queue_missing(session)
    began, done = time.perf_counter(), 0
    while count := backfill.embed_pending(lambda: Session(engine), 64, embedder=embedder):
        done += count
        if done % 1024 < 64:
            print(f"  embedded {done:,} of {queued:,}", flush=True)
    seconds = time.perf_counter() - began
    if done:
        print(f"embedded {done:,} articles in {seconds:.0f} s ({done / seconds:.1f}/s, {threads} thread(s))")
    engine.dispose()


def measure(url: str, categories: dict[str, str], sample: list[int], semantic: object) -> tuple[float, list[float]]:
    """precision@K of Byline's related lists for the sample, and each lookup's time in ms (caches cold)."""
    slugs = list(categories)
    engine = build_engine(url)
    cache = ContentCache(RELEASES)
    hits = 0
    timings = []
    with Session(engine) as session:
        for index in sample:
            slug = slugs[index]
            began = time.perf_counter()
            related = related_articles(
                session,
                slug,
                limit=K,
                now=datetime.now(UTC),
                cache=cache,
                semantic=semantic,  # type: ignore[arg-type]
            )
            timings.append((time.perf_counter() - began) * 1000)
            hits += sum(categories[r.slug] == categories[slug] for r in related)
    engine.dispose()
    return hits / (K * len(sample)), sorted(timings)


def tune(url: str, categories: dict[str, str], queries: list[int], semantic: object) -> related_service.Weights:
    """The blend weights with the best precision@K on these queries; tags and section keep their share
    (the corpus has none to tune them on)."""
    slugs = list(categories)
    engine = build_engine(url)
    best = (-1.0, related_service.BLENDED)
    with Session(engine) as session:
        articles = [
            related_service.get_article(
                session, slugs[i], now=datetime.now(UTC), loading=related_service.summary_joined_loading()
            )
            for i in queries
        ]
        for meaning, text, author in itertools.product((0.35, 0.45, 0.55), (0.1, 0.2, 0.3), (0.1, 0.2)):
            raw = replace(related_service.BLENDED, meaning=meaning, text=text, author=author)
            total = raw.text + raw.meaning + raw.tags + raw.section + raw.author + raw.recency
            weights = related_service.Weights(
                *(
                    round(getattr(raw, name) / total, 3)
                    for name in ("text", "meaning", "tags", "section", "author", "recency")
                )
            )
            related_service.BLENDED = weights
            hits = 0
            for article in articles:
                found = compute_related(session, article, limit=K, now=datetime.now(UTC), semantic=semantic)  # type: ignore[arg-type]
                hits += sum(categories[r.article.slug] == categories[article.slug] for r in found)
            precision = hits / (K * len(articles))
            print(f"  tuning {weights}: {precision:.3f}", flush=True)
            best = max(best, (precision, weights), key=lambda pair: pair[0])
    engine.dispose()
    related_service.BLENDED = best[1]
    print(f"chosen on {len(queries)} held-out articles: {best[1]} (precision@{K} {best[0]:.3f})")
    return best[1]


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return (
        f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=1, help="Samples measured (seeds 42, 43, ...).")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--keep", type=Path, help="Database file to reuse between runs (ingested if missing).")
    parser.add_argument("--semantic", action="store_true", help="Also measure with the semantic signal.")
    parser.add_argument("--tune", action="store_true", help="With --semantic: choose the blend weights first.")
    parser.add_argument("--tune-queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for embedding.")
    args = parser.parse_args()
    install_write_hooks()
    items = corpus(args.corpus)
    labelled = [n for n, item in enumerate(items) if item.get("category")]
    size = min(args.sample, len(labelled))
    samples = [random.Random(42 + n).sample(labelled, size) for n in range(args.seeds)]
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "quality.db"
        url = f"sqlite:///{path}"
        categories_file = path.with_suffix(".categories.json")
        if path.exists():
            categories = json.loads(categories_file.read_text())
        else:
            upgrade_database(url)
            began = time.perf_counter()
            categories = ingest(url, items)
            categories_file.write_text(json.dumps(categories))
            print(f"ingested {len(items):,} articles in {time.perf_counter() - began:.0f} s")
        semantic = None
        if args.semantic:
            from app.related.semantic.neighbours import SemanticIndex

            embed_all(url, args.threads)
            semantic = SemanticIndex(exact_limit=len(items) + 1)
            if args.tune:
                measured = {index for sample in samples for index in sample}
                rest = [n for n in labelled if n not in measured]
                queries = random.Random(7).sample(rest, min(args.tune_queries, len(rest)))
                tune(url, categories, queries, semantic)
        results: dict[str, list[float]] = {"lexical": [], "semantic": [], "baseline": []}
        timings: dict[str, list[float]] = {"lexical": [], "semantic": []}
        for sample in samples:
            precision, lookups = measure(url, categories, sample, None)
            results["lexical"].append(precision)
            timings["lexical"] += lookups
            if semantic is not None:
                precision, lookups = measure(url, categories, sample, semantic)
                results["semantic"].append(precision)
                timings["semantic"] += lookups
            results["baseline"].append(baseline_precision(items, sample))
            print("  sample: " + ", ".join(f"{name} {values[-1]:.3f}" for name, values in results.items() if values))
    print(f"articles: {len(items):,}, samples: {len(samples)} of {size}, categories: {len(set(categories.values()))}")
    print(f"Byline lexical precision@{K}:  {spread(results['lexical'])}")
    if semantic is not None:
        print(f"Byline semantic precision@{K}: {spread(results['semantic'])} (weights {related_service.BLENDED})")
        gains = [s - b for s, b in zip(results["semantic"], results["baseline"], strict=True)]
        print(f"semantic gain over TF-IDF:    {spread(gains)}")
    print(f"TF-IDF baseline precision@{K}: {spread(results['baseline'])}")
    for name, values in timings.items():
        if values:
            values.sort()
            print(
                f"{name} lookup p50 {values[len(values) // 2]:.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms"
            )


if __name__ == "__main__":
    main()
