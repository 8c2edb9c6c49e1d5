"""Search on full-length articles: the latency of common words, several words, phrases and prefixes,
by relevance and newest first, every query asked once (caches cold); then the throughput of the
common queries asked over and over, as many readers ask them.

    .venv/bin/python -m bench.search --articles 100000
    .venv/bin/python -m bench.search --articles 100000 --database-url postgresql://...

Builds a newsroom whose bodies are the full-length Wikinews stories of ../shared/data (about 660
words each, cycled to the size asked), then times each query against a real single-worker
`byline serve` on loopback, as a client sees it. The throughput is wrk's (`make bench` installs it),
against `byline serve --workers 2` with the response cache off, so every answer comes from the
database: a common query's first page is a stored answer once asked.
"""

import argparse
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import httpx

from app.wiring import upgrade_database
from bench.newsroom import LONG_BODIES, corpus, has_articles, load
from bench.suite import WRK, Scenario, machine, wrk
from tests.server import running_server

QUERIES_EACH = 30


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]{4,}", text.lower())


def queries() -> dict[str, list[str]]:
    """Words found in a fifth to a half of the stories, and the phrases they make: what searching a
    news archive mostly asks, and what is slowest to rank because so much matches."""
    stories = [item["body"] for item in corpus(LONG_BODIES)]
    in_stories = Counter(word for body in stories for word in set(_words(body)))
    common = [word for word, count in in_stories.most_common() if len(stories) / 5 <= count <= len(stories) / 2]
    bigrams = Counter(
        pair
        for words in map(_words, stories)
        for pair in set(zip(words, words[1:], strict=False))
        if pair[0] != pair[1]
    )
    phrases = [f'"{a} {b}"' for (a, b), _ in bigrams.most_common(QUERIES_EACH)]
    return {
        "one common word": common[:QUERIES_EACH],
        "two common words": [f"{a} {b}" for a, b in zip(common[::2], common[1::2], strict=False)][:QUERIES_EACH],
        "phrase": phrases,
        "prefix": sorted({word[:4] + "*" for word in common})[:QUERIES_EACH],
    }


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="Database file to reuse between runs (loaded if missing).")
    parser.add_argument("--database-url", help="An empty PostgreSQL database (loaded if it has no articles).")
    parser.add_argument("--seconds", type=int, default=10, help="Length of each wrk run; 0 skips them.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "search.db"
        url = args.database_url or f"sqlite:///{path}"
        if not (has_articles(url) if args.database_url else path.exists()):
            upgrade_database(url)
            began = time.perf_counter()
            load(url, args.articles, long_bodies=True, related=False)
            print(f"loaded {args.articles:,} full-length articles in {time.perf_counter() - began:.1f} s")
        # One public address for both servers, as a site's servers share one: what the first stores
        # (stored answers name it), the second sends.
        environment = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_RESPONSE_CACHE": "false",
            "BYLINE_PUBLIC_URL": "http://127.0.0.1:8000",
        }
        with (
            running_server(environment, workers=1) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            print(f"\n{'query kind':<20}{'sort':<11}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'median total':>14}")
            for kind, asked in queries().items():
                for sort in ("relevance", "newest"):
                    samples, totals = [], []
                    for q in asked:
                        began = time.perf_counter()
                        response = client.get("/api/v1/articles", params={"q": q, "sort": sort})
                        samples.append((time.perf_counter() - began) * 1000)
                        assert response.status_code == 200, response.text
                        totals.append(response.json()["meta"]["total"])
                    print(
                        f"{kind:<20}{sort:<11}{statistics.median(samples):>9.1f}{percentile(samples, 0.95):>9.1f}"
                        f"{max(samples):>9.1f}{statistics.median(totals):>14,.0f}",
                        flush=True,
                    )
        if args.seconds and os.access(WRK, os.X_OK):
            described = machine()
            print(f"\nasked over and over, {args.seconds} s each, CPU {described['cpu']}, {described['cores']} cores:")
            common = queries()
            with running_server(environment, workers=2) as base:
                for kind in ("one common word", "two common words"):
                    for sort in ("relevance", "newest"):
                        asked = [f"/api/v1/articles?{urlencode({'q': q, 'sort': sort})}" for q in common[kind]]
                        measured = wrk(base, Scenario(kind, asked), args.seconds)
                        print(
                            f"{kind:<20}{sort:<11}{measured.requests_per_second:>10,.0f} req/s  p50 {measured.p50_ms} "
                            f"p95 {measured.p95_ms} p99 {measured.p99_ms} ms  failed {measured.errors}",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
