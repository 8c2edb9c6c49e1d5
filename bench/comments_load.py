"""Comment submission under load: 32 concurrent clients against a real multi-worker server.

    .venv/bin/python -m bench.comments_load --comments 5000 --clients 32 --workers 2

Starts `byline serve` on a free loopback port over a fresh database (SQLite by default, or
BYLINE_BENCH_DATABASE_URL), submits comments from distinct networks through X-Forwarded-For, then
reads the moderation queue back and checks that every comment was stored exactly once and that
no request failed with a 5xx.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.core.clock import utcnow
from app.db.engines import build_engine
from app.wiring import install_write_hooks, upgrade_database
from tests.server import demo_loaded, running_server

LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"
SECRET = "bench-secret-key-not-for-production"


async def submit(
    client: httpx.AsyncClient, client_number: int, count: int, latencies: list[float], statuses: list[int]
) -> list[str]:
    markers = []
    for n in range(count):
        marker = f"load-{client_number}-{n}"
        body = {
            "author_name": f"Load {client_number}",
            "author_email": f"load{client_number}.{n}@example.com",
            "content": f"Comment {marker} on the lead story.",
        }
        headers = {"X-Forwarded-For": f"10.{client_number}.{n // 250}.{n % 250 + 1}"}
        began = time.perf_counter()
        response = await client.post(f"/api/v1/articles/{LEAD}/comments", json=body, headers=headers)
        latencies.append((time.perf_counter() - began) * 1000)
        statuses.append(response.status_code)
        if response.status_code in (201, 202):
            markers.append(marker)
    return markers


async def read_back(base: str, key: str) -> list[str]:
    contents = []
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        url = "/api/v1/comments?status=pending&limit=100"
        while url:
            page = (await client.get(url)).json()
            contents += [item["content"].split()[1] for item in page["data"]]
            url = page["links"]["next"]
    return contents


async def load(base: str, comments: int, clients: int) -> tuple[list[str], list[float], list[int], float]:
    latencies: list[float] = []
    statuses: list[int] = []
    per_client = -(-comments // clients)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        began = time.perf_counter()
        results = await asyncio.gather(
            *(
                submit(client, c, min(per_client, comments - c * per_client), latencies, statuses)
                for c in range(clients)
            )
        )
        elapsed = time.perf_counter() - began
    return [m for markers in results for m in markers], latencies, statuses, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # Demo articles are indexed and fed to the change feed as any entry point's writes are.
    install_write_hooks()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BYLINE_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        upgrade_database(url)
        demo_loaded(url, media_dir=Path(folder) / "media")
        engine = build_engine(url)
        with Session(engine) as session:
            _, key = issue_key(
                session, secret_key=SECRET, name="bench-moderator", scopes=[Scope.comments_moderate], now=utcnow()
            )
        engine.dispose()
        env = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_SECRET_KEY": SECRET,
            "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
            "BYLINE_COMMENT_LIMIT_PER_NETWORK": "1000000",
            "BYLINE_COMMENT_LIMIT_PER_EMAIL": "1000000",
        }
        with running_server(env, workers=args.workers) as base:
            accepted, latencies, statuses, elapsed = asyncio.run(load(base, args.comments, args.clients))
            stored = asyncio.run(read_back(base, key))
    server_errors = sum(status >= 500 for status in statuses)
    latencies.sort()
    print(f"database: {url.split(':')[0]}, workers: {args.workers}, clients: {args.clients}")
    print(f"submitted {len(statuses)} comments in {elapsed:.1f} s ({len(statuses) / elapsed:.0f}/s)")
    print(f"latency p50 {statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
    print(f"answers: {sorted({s: statuses.count(s) for s in set(statuses)}.items())}, 5xx: {server_errors}")
    print(f"accepted {len(accepted)}, stored {len(stored)}, distinct stored {len(set(stored))}")
    lost = set(accepted) - set(stored)
    duplicated = len(stored) - len(set(stored))
    print(f"lost: {len(lost)}, duplicated: {duplicated}, unexpected: {len(set(stored) - set(accepted))}")
    ok = not lost and not duplicated and not server_errors and len(stored) == args.comments
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
