"""A large newsroom for benchmarks, built fast: the real news items of
../shared/data/news-category-10k.ndjson.gz repeated to any size, with distinct times, 29 sections,
2,000 authors, 5,000 tags and approved comments, inserted in bulk and then indexed for search and
related articles in one pass."""

import gzip
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, inspect, select
from sqlmodel import Session

from app.articles.models import Article, ArticleAuthor, ArticleTag
from app.authors.models import Author
from app.comments.models import Comment
from app.core.slugs import slugify
from app.db.engines import build_engine, refresh_planner_statistics
from app.indexing import service as indexing
from app.taxonomy.models import Section, Tag

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPUS = DATA / "news-category-10k.ndjson.gz"
# Full-length articles (about 660 words on average), for search at realistic document sizes.
LONG_BODIES = DATA / "wikinews-en-339.ndjson.gz"
# Every tenth article has a short discussion.
COMMENTED_EVERY = 10
COMMENTS_EACH = 5


def corpus(path: Path = CORPUS) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _paragraphs(text: str) -> list[dict]:
    return [{"type": "paragraph", "text": part.strip()} for part in text.split("\n") if part.strip()]


def load(url: str, count: int, *, long_bodies: bool = False, related: bool = True) -> None:
    """With `long_bodies`, each article keeps its headline but takes the body of a full-length
    Wikinews story (cycling through the 339), so search works on real document sizes. Without
    `related`, only the search index is built."""
    items = corpus()
    bodies = [item["body"] for item in corpus(LONG_BODIES)] if long_bodies else [item["body"] for item in items]
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
            rows, bylines, tagging, discussion = [], [], [], []
            for n in range(first, min(first + batch, count)):
                item = items[n % len(items)]
                body = bodies[n % len(bodies)]
                published = start + timedelta(minutes=5 * n + rng.randrange(5))
                rows.append(
                    {
                        "id": n + 1,
                        "slug": f"{slugify(item['title'])[:150]}-{n}",
                        "title": item["title"][:300],
                        "excerpt": body[:280],
                        "body": _paragraphs(body),
                        "section_id": sections.index(item["category"]) + 1,
                        "status": "published" if n % 50 else "draft",
                        "published_at": published,
                        "created_at": published,
                        "updated_at": published,
                        "comments_open": True,
                        "word_count": len(body.split()),
                        "reading_time_minutes": 1,
                        "comment_count": COMMENTS_EACH if n % COMMENTED_EVERY == 0 else 0,
                    }
                )
                if n % COMMENTED_EVERY == 0:
                    discussion.extend(_comments(n + 1, published))
                bylines.append({"article_id": n + 1, "author_id": rng.randrange(len(authors)) + 1, "position": 0})
                for tag_id in rng.sample(range(1, len(tags) + 1), 3):
                    tagging.append({"article_id": n + 1, "tag_id": tag_id})
            connection.execute(insert(Article), rows)
            connection.execute(insert(ArticleAuthor), bylines)
            connection.execute(insert(ArticleTag), tagging)
            connection.execute(insert(Comment), discussion)
            print(f"  loaded {min(first + batch, count):,} articles", flush=True)
    began = time.perf_counter()
    with Session(engine) as session:
        indexing.reindex(session, related=related)
        session.commit()
    refresh_planner_statistics(engine)
    print(f"  indexed for search and related articles in {time.perf_counter() - began:.1f} s", flush=True)
    engine.dispose()


def _comments(article_id: int, published: datetime) -> list[dict]:
    return [
        {
            "article_id": article_id,
            "author_name": f"Reader {k}",
            "author_email": f"reader{k}@example.com",
            "content": f"Comment {k} on this story.",
            "content_html": f"<p>Comment {k} on this story.</p>",
            "content_hash": f"{article_id}-{k}",
            "status": "approved",
            "reasons": [],
            "ip_hash": "bench",
            "network_hash": "bench",
            "created_at": published + timedelta(minutes=k + 1),
            "updated_at": published + timedelta(minutes=k + 1),
        }
        for k in range(COMMENTS_EACH)
    ]


def has_articles(url: str) -> bool:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return (
                inspect(connection).has_table("article")
                and connection.execute(select(func.count()).select_from(Article)).scalar() > 0
            )
    finally:
        engine.dispose()
