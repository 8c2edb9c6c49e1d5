"""Read-API latency on a large newsroom: list pages (first and deep), filters, and single articles.

    .venv/bin/python -m bench.read_api --articles 200000
    .venv/bin/python -m bench.read_api --articles 100000 --database-url postgresql://...

Builds a fresh SQLite database (or fills an empty PostgreSQL one) through the migrations, bulk-loads synthetic articles
modelled on ../shared/data/news-category-10k.ndjson.gz, indexes them for search, then times
requests to a real single-worker `byline serve` on loopback, as a client sees them. Repeated
requests are answered from the content cache where the API caches (totals, related lists);
the cold rows ask each of 100 different questions once, so nothing they need is cached.
"""

import argparse
import gzip
import json
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, inspect, select
from sqlmodel import Session

from app.articles import indexing
from app.articles.models import Article, ArticleAuthor, ArticleTag
from app.authors.models import Author
from app.db import build_engine, refresh_planner_statistics
from app.migrate import upgrade_database
from app.slugs import slugify
from app.taxonomy.models import Section, Tag
from tests.server import running_server

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-category-10k.ndjson.gz"


def corpus() -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def load(url: str, count: int) -> None:
    items = corpus()
    rng = random.Random(7)
    engine = build_engine(url)
    sections = sorted({item["category"] for item in items})
    authors = sorted({item["author"] or "Staff" for item in items})[:2000]
    tags = [f"Topic {n}" for n in range(5000)]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Section), [{"id": i + 1, "slug": slugify(s), "name": s} for i, s in enumerate(sections)]
        )
        connection.execute(
            insert(Author),
            [
                {
                    "id": i + 1,
                    "slug": f"{slugify(a)[:180]}-{i}",
                    "name": a,
                    "links": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i, a in enumerate(authors)
            ],
        )
        connection.execute(insert(Tag), [{"id": i + 1, "slug": slugify(t), "name": t} for i, t in enumerate(tags)])
        batch = 20000
        for first in range(0, count, batch):
            rows, bylines, tagging = [], [], []
            for n in range(first, min(first + batch, count)):
                item = items[n % len(items)]
                published = start + timedelta(minutes=5 * n + rng.randrange(5))
                rows.append(
                    {
                        "id": n + 1,
                        "slug": f"{slugify(item['title'])[:150]}-{n}",
                        "title": item["title"][:300],
                        "excerpt": item["body"][:280],
                        "body": [{"type": "paragraph", "text": item["body"]}],
                        "section_id": sections.index(item["category"]) + 1,
                        "status": "published" if n % 50 else "draft",
                        "published_at": published,
                        "created_at": published,
                        "updated_at": published,
                        "comments_open": True,
                        "word_count": len(item["body"].split()),
                        "reading_time_minutes": 1,
                        "comment_count": 0,
                    }
                )
                bylines.append({"article_id": n + 1, "author_id": rng.randrange(len(authors)) + 1, "position": 0})
                for tag_id in rng.sample(range(1, len(tags) + 1), 3):
                    tagging.append({"article_id": n + 1, "tag_id": tag_id})
            connection.execute(insert(Article), rows)
            connection.execute(insert(ArticleAuthor), bylines)
            connection.execute(insert(ArticleTag), tagging)
            print(f"  loaded {min(first + batch, count):,} articles", flush=True)
    began = time.perf_counter()
    with Session(engine) as session:
        indexing.reindex(session)
        session.commit()
    refresh_planner_statistics(engine)
    print(f"  indexed for search and related articles in {time.perf_counter() - began:.1f} s", flush=True)
    engine.dispose()


def _has_articles(url: str) -> bool:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return (
                inspect(connection).has_table("article")
                and connection.execute(select(func.count()).select_from(Article)).scalar() > 0
            )
    finally:
        engine.dispose()


def timed(client: httpx.Client, url: str, repeat: int) -> tuple[list[float], dict]:
    samples, body = [], {}
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
    return samples, body


def report(name: str, samples: list[float], total="") -> None:
    samples = sorted(samples)
    print(
        f"{name:<28}{statistics.median(samples):>10.1f}{samples[int(len(samples) * 0.95) - 1]:>10.1f}{total:>12}",
        flush=True,
    )


def search_words(count: int) -> list[str]:
    """Words newsrooms search for: common in headlines, but past the most common, which say little."""
    words = Counter(word for item in corpus() for word in re.findall(r"[a-z]{5,}", item["title"].lower()))
    return [word for word, _ in words.most_common(50 + count)[50:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Database file to reuse between runs (loaded if missing).")
    parser.add_argument(
        "--database-url", help="An empty PostgreSQL database to use instead (loaded if it has no articles)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        url = args.database_url or f"sqlite:///{path}"
        if not (_has_articles(url) if args.database_url else path.exists()):
            upgrade_database(url)
            began = time.perf_counter()
            load(url, args.articles)
            print(f"loaded {args.articles:,} articles in {time.perf_counter() - began:.1f} s")
        with (
            running_server({"BYLINE_DATABASE_URL": url}, workers=1) as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            first = client.get("/api/v1/articles?limit=20").json()
            deep = first["links"]["next"]
            for _ in range(200):  # 200 pages in: cursors cost the same however deep
                deep = client.get(deep).json()["links"]["next"]
            slug = first["data"][0]["slug"]
            deep_slug = client.get(deep).json()["data"][0]["slug"]
            author = first["data"][0]["authors"][0]["slug"]
            section = first["data"][0]["section"]["slug"]
            tag = first["data"][0]["tags"][0]["slug"]
            cases = {
                "list first page (20)": "/api/v1/articles?limit=20",
                "list 100 per page": "/api/v1/articles?limit=100",
                "list page 200 deep": deep,
                "list by section": f"/api/v1/articles?section={section}",
                "list by tag": f"/api/v1/articles?tag={tag}",
                "list by author": f"/api/v1/articles?author={author}",
                "author's articles": f"/api/v1/authors/{author}/articles",
                "get article": f"/api/v1/articles/{slug}",
                "tags directory": "/api/v1/tags",
                "search one word": "/api/v1/articles?q=election",
                "search two words": "/api/v1/articles?q=health+insurance",
                "search phrase": '/api/v1/articles?q="white+house"',
                "search prefix": "/api/v1/articles?q=vacc*",
                "search newest + section": f"/api/v1/articles?q=police&sort=newest&section={section}",
                "search, rare word": "/api/v1/articles?q=zeppelin",
                "related (5)": f"/api/v1/articles/{slug}/related",
                "related, older article": f"/api/v1/articles/{deep_slug}/related",
            }
            cold_slugs = [
                item["slug"] for item in client.get("/api/v1/articles?limit=100&section=" + section).json()["data"]
            ]
            print(f"\n{'request':<28}{'p50 ms':>10}{'p95 ms':>10}{'total':>12}")
            for name, case in cases.items():
                samples, body = timed(client, case, args.repeat)
                report(name, samples, body.get("meta", {}).get("total", ""))
            # Each request asks something new: no cached total, related list or search.
            cold_searches = [timed(client, f"/api/v1/articles?q={word}", 1)[0][0] for word in search_words(100)]
            report("search, cold (100 words)", cold_searches)
            cold_related = [timed(client, f"/api/v1/articles/{cold_slug}/related", 1)[0][0] for cold_slug in cold_slugs]
            report("related, cold (100)", cold_related)


if __name__ == "__main__":
    main()
