"""Read-API latency on a large newsroom: list pages (first and deep), filters, and single articles.

    .venv/bin/python -m bench.read_api --articles 200000
    .venv/bin/python -m bench.read_api --articles 100000 --database-url postgresql://...

Builds a fresh SQLite database (or fills an empty PostgreSQL one) through the migrations, bulk-loads synthetic articles
modelled on ../shared/data/news-category-10k.ndjson.gz, indexes them for search, then times
requests to a real single-worker `byline serve` on loopback, as a client sees them. The response
cache is off, so every request is computed but for the stored answers (an article, the first page
of the list); totals and related lists come from the content cache once asked. The cold rows ask
each of 100 different questions once, so nothing they need is cached.
"""

import argparse
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from app.wiring import upgrade_database
from bench.newsroom import corpus, has_articles, load
from tests.server import running_server


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
        f"{name:<30}{statistics.median(samples):>10.1f}{samples[int(len(samples) * 0.95) - 1]:>10.1f}{total:>12}",
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
        if not (has_articles(url) if args.database_url else path.exists()):
            upgrade_database(url)
            began = time.perf_counter()
            load(url, args.articles)
            print(f"loaded {args.articles:,} articles in {time.perf_counter() - began:.1f} s")
        with (
            running_server({"BYLINE_DATABASE_URL": url, "BYLINE_RESPONSE_CACHE": "false"}, workers=1) as base,
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
                # The same page, but not the stored answer: a filter every article passes.
                "list first page, computed": "/api/v1/articles?limit=20&published_before=2100-01-01T00:00:00Z",
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
            print(f"\n{'request':<30}{'p50 ms':>10}{'p95 ms':>10}{'total':>12}")
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
