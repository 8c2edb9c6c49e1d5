"""Bulk import and export speed: NDJSON made from the shared news corpus, ingested with `byline ingest`
(search index and term vectors included), then exported; prints articles per second and peak RSS.

    .venv/bin/python bench/ingest.py [--size 20000] [--database-url URL]

Without --database-url, a fresh SQLite file. A PostgreSQL URL must name an empty, migrated database.
"""

import argparse
import gzip
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.newsroom import CORPUS

BYLINE = str(Path(sys.executable).parent / "byline")


def write_archive(path: Path, size: int) -> None:
    """`size` records in the ingest shape, cycling through the corpus with distinct external ids."""
    with gzip.open(CORPUS) as corpus:
        rows = [orjson.loads(line) for line in corpus]
    with path.open("wb") as out:
        for n, row in zip(range(size), itertools.cycle(rows), strict=False):
            record = {
                "external_id": f"{row['external_id']}#{n}",
                "title": row["title"],
                "body": [{"type": "paragraph", "text": row["body"] or row["title"]}],
                "published_at": row["published_at"],
                "section": row["category"],
                "authors": [row["author"] or "Staff"],
                "tags": [row["category"]],
            }
            out.write(orjson.dumps(record) + b"\n")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `byline` run."""
    started = time.perf_counter()
    subprocess.run([BYLINE, *args], env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000, help="Articles to import.")
    parser.add_argument("--database-url", help="Default: a fresh SQLite file.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "archive.ndjson"
        write_archive(archive, options.size)
        url = options.database_url or f"sqlite:///{folder}/bench.db"
        env = os.environ | {"BYLINE_DATABASE_URL": url}
        if options.database_url is None:
            subprocess.run([BYLINE, "db", "upgrade"], env=env, check=True, capture_output=True)
        seconds, rss = timed(["ingest", str(archive)], env)
        rate = options.size / seconds
        print(f"ingest {options.size} articles: {seconds:.1f} s, {rate:,.0f} articles/s, peak RSS {rss:.0f} MB")
        seconds, _ = timed(["ingest", str(archive)], env)
        print(f"re-ingest (all unchanged): {seconds:.1f} s, {options.size / seconds:,.0f} articles/s")
        seconds, rss = timed(["export", str(Path(folder) / "export.ndjson")], env)
        print(f"export: {seconds:.1f} s, {options.size / seconds:,.0f} articles/s, peak RSS so far {rss:.0f} MB")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
