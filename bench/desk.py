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
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select

from app.articles.models import Article
from app.db.engines import build_engine
from app.wiring import upgrade_database
from bench.newsroom import load
from bench.suite import DeskAtWork, Server, benchmarked_settings

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
    """The benchmark's desk (bench.suite.DeskAtWork), one write after another on one kept
    connection, every write checked."""

    def __init__(self, base: str, url: str) -> None:
        engine = build_engine(url)
        with Session(engine) as session:
            published = select(Article.slug).where(Article.status == "published").order_by(col(Article.id))
            slugs = list(session.exec(published.limit(500)).all())
        engine.dispose()
        self.at_work = DeskAtWork(base, url, slugs, spared=set())
        self.posted: list[int] = []
        self.sent = 0

    def _next(self) -> tuple[str, int]:
        self.sent += 1
        return self.at_work.slugs[self.sent % len(self.at_work.slugs)], self.sent

    def post(self) -> None:
        comment = self.at_work.post(*self._next())
        if comment is None:
            raise SystemExit(f"a comment was refused: {self.at_work.why_failed}")
        self.posted.append(comment)

    def approve(self) -> None:
        if self.at_work.approve(self.posted.pop(0)) != "approvals":
            raise SystemExit(f"an approval failed: {self.at_work.why_failed}")

    def edit(self) -> None:
        if self.at_work.edit(*self._next()) != "edits":
            raise SystemExit(f"an edit failed: {self.at_work.why_failed}")


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
