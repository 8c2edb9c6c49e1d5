"""Related-article quality on real news, measured against a plain TF-IDF baseline.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench.related_quality --sample 500

Ingests ../shared/data/news-category-10k.ndjson.gz through the normal write path with sections
and tags withheld (authors and dates kept, as an imported archive would have them), then asks
Byline for 5 related articles for a fixed random sample. precision@5 is the share of related
results whose held-out category matches the article's. The baseline ranks the same articles by
cosine similarity of scikit-learn TF-IDF vectors of title + body.
"""

import argparse
import gzip
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlmodel import Session

from app.articles import editing
from app.articles.schemas import ArticleCreate
from app.authors import service as authors
from app.authors.schemas import AuthorCreate
from app.content_cache import ContentCache
from app.db import build_engine, refresh_planner_statistics
from app.migrate import upgrade_database
from app.related.service import related_articles
from app.slugs import slugify

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-category-10k.ndjson.gz"
K = 5


def corpus() -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
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
                authors.add_author(session, AuthorCreate(name=name, slug=slug), now=now)
                known[name] = slug
            article = editing.add_article(
                session,
                ArticleCreate(
                    title=item["title"][:300] or "Untitled",
                    authors=[known[name]],
                    status="published",
                    published_at=item["published_at"],
                    body=[{"type": "paragraph", "text": item["body"]}] if item["body"].strip() else [],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="Database file to reuse between runs (ingested if missing).")
    args = parser.parse_args()
    items = corpus()
    sample = random.Random(42).sample(range(len(items)), args.sample)
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
        slugs = list(categories)
        engine = build_engine(url)
        cache = ContentCache()
        hits = returned = 0
        timings = []
        with Session(engine) as session:
            for index in sample:
                slug = slugs[index]
                began = time.perf_counter()
                related = related_articles(session, slug, limit=K, now=datetime.now(UTC), cache=cache)
                timings.append((time.perf_counter() - began) * 1000)
                returned += len(related)
                hits += sum(categories[r.slug] == categories[slug] for r in related)
        engine.dispose()
    timings.sort()
    byline = hits / (K * len(sample))
    baseline = baseline_precision(items, sample)
    print(f"articles: {len(items):,}, sample: {len(sample)}, categories: {len(set(categories.values()))}")
    print(f"Byline precision@{K}:         {byline:.3f} ({returned} results returned of {K * len(sample)})")
    print(f"TF-IDF baseline precision@{K}: {baseline:.3f}")
    print(f"lookup p50 {timings[len(timings) // 2]:.1f} ms, p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
