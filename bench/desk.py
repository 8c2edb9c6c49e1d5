"""What each of the desk's writes costs the server: CPU per request, one request at a time.

    .venv/bin/python -m bench.desk --articles 2000 --requests 300 --rounds 3

Builds the benchmark newsroom (bench/newsroom.py) in a fresh SQLite file, or in the empty
PostgreSQL database BYLINE_BENCH_DATABASE_URL names, serves it with `byline serve --workers 1`,
and sends the writes of "reads under writes" (`make bench`) one after another on a kept
connection: a reader's comment, its approval, an excerpt edit. For each kind it prints the median
over the rounds of wall time, of the worker's CPU (its event loop's thread and the others), and
of the CPU of local `postgres` processes, per request. The reads under the desk's writes keep what
the writes leave of the cores, so these are the figures to lower.
"""

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from app.articles.models import Article
from app.auth.models import Scope
from app.auth.service import issue_key
from app.db.engines import build_engine
from app.wiring import upgrade_database
from bench.newsroom import load
from bench.suite import SECRET, Server, benchmarked_settings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _seconds(stat: str) -> float:
    """User and system CPU of a /proc stat line."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu(worker: int) -> dict[str, float]:
    """CPU seconds so far: the worker's event loop (its main thread), the worker in all, and
    every local `postgres` process."""
    used = {"loop": _seconds(Path(f"/proc/{worker}/task/{worker}/stat").read_text())}
    used["worker"] = _seconds(Path(f"/proc/{worker}/stat").read_text())
    used["postgres"] = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        if stat[stat.index("(") + 1 : stat.rindex(")")].startswith("postgres"):
            used["postgres"] += _seconds(stat)
    return used


class Desk:
    """An editor and a moderator, each request on one kept connection."""

    def __init__(self, base: str, url: str) -> None:
        engine = build_engine(url)
        with Session(engine) as session:
            scopes = [Scope.content_write, Scope.comments_moderate]
            _, key = issue_key(session, secret_key=SECRET, name="bench-desk", scopes=scopes, now=datetime.now(UTC))
            published = select(Article.slug).where(Article.status == "published").order_by(col(Article.id))
            self.slugs = list(session.exec(published.limit(500)).all())
        engine.dispose()
        self.authorization = f"Bearer {key}"
        self.connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
        self.posted: list[int] = []
        self.sent = 0

    def send(self, method: str, path: str, body: dict, expected: tuple[int, ...], **headers: str) -> Any:
        self.connection.request(method, path, json.dumps(body), {"Content-Type": "application/json", **headers})
        answer = self.connection.getresponse()
        content = answer.read()
        if answer.status not in expected:
            raise SystemExit(f"{method} {path} answered {answer.status}: {content[:300]!r}")
        return json.loads(content)

    def post(self) -> None:
        self.sent += 1
        # Each reader from a network of their own, as the rate limits expect of a busy comment section.
        address = f"10.{self.sent >> 8 & 255}.{self.sent & 255}.1"
        body = {
            "author_name": "Reader",
            "author_email": f"desk{self.sent}@example.com",
            "content": f"Reply {self.sent}.",
        }
        slug = self.slugs[self.sent % len(self.slugs)]
        answer = self.send(
            "POST", f"/api/v1/articles/{slug}/comments", body, (201, 202), **{"X-Forwarded-For": address}
        )
        self.posted.append(answer["id"])

    def approve(self) -> None:
        comment = self.posted.pop(0)
        body = {"status": "approved"}
        self.send("PATCH", f"/api/v1/comments/{comment}", body, (200,), Authorization=self.authorization)

    def edit(self) -> None:
        self.sent += 1
        slug = self.slugs[self.sent % len(self.slugs)]
        body = {"excerpt": f"Updated {self.sent} times."}
        self.send("PATCH", f"/api/v1/articles/{slug}", body, (200,), Authorization=self.authorization)


def measure(write: Callable[[], None], worker: int, requests: int) -> dict[str, float]:
    """Milliseconds per request: wall, and CPU as `cpu` splits it."""
    before, began = cpu(worker), time.perf_counter()
    for _ in range(requests):
        write()
    elapsed, after = time.perf_counter() - began, cpu(worker)
    spent = {part: 1000 * (after[part] - before[part]) / requests for part in after}
    return {"wall": 1000 * elapsed / requests} | spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300, help="Requests of each kind in a round.")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BYLINE_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        upgrade_database(url)
        load(url, args.articles)
        server = Server(benchmarked_settings(url), workers=1)
        try:
            desk = Desk(server.base, url)
            (worker,) = server.workers()
            kinds = {"comment posted": desk.post, "comment approved": desk.approve, "excerpt edited": desk.edit}
            for write in kinds.values():
                write()  # the first of each kind loads what the rest reuse
            rounds: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
            for _ in range(args.rounds):
                for kind, write in kinds.items():
                    rounds[kind].append(measure(write, worker, args.requests))
        finally:
            server.stop()
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{args.articles:,} articles, {database}, `byline serve --workers 1`, one request at a time")
    print(f"median of {args.rounds} rounds of {args.requests}, milliseconds per request")
    print("| write | wall | worker CPU | of it, event loop | postgres CPU |")
    print("|---|---|---|---|---|")
    for kind, measured in rounds.items():
        median = {part: statistics.median(one[part] for one in measured) for part in measured[0]}
        print(
            f"| {kind} | {median['wall']:.2f} | {median['worker']:.2f} | {median['loop']:.2f} | "
            f"{median['postgres']:.2f} |"
        )


if __name__ == "__main__":
    main()
