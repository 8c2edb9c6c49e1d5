"""Varnish in front of the benchmark's cached server (`make bench VARNISH=1`): deploy/varnish/byline.vcl
run by scripts/varnish.sh, purged by a `byline worker` process as newsrooms run one, and how long an
edit takes to show through it.

An edit's latency runs from the moment its PATCH is answered (Byline commits before it answers) to
the first read through Varnish that shows it; reads go on back to back meanwhile, each a new request.
After that, every article edited is read again through Varnish: any answer that does not show its
latest edit is a stale read.
"""

import os
import random
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.db.engines import build_engine
from tests.server import BYLINE, free_port

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "varnish.sh"
# An edit not shown by then counts as never shown.
GIVE_UP_SECONDS = 10
# Where Debian's package puts it (scripts/varnish.sh installs it).
VARNISHD = "/usr/sbin/varnishd"


class Varnish:
    """varnishd on a free loopback port before `backend_port`, and a worker that purges it."""

    def __init__(self, backend_port: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        subprocess.run([SCRIPT, "start", str(backend_port), str(self.port)], check=True)
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by stop()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")} | env
        self.worker = subprocess.Popen(
            [BYLINE, "worker"],
            env=environment | {"BYLINE_PURGE_VARNISH_URL": self.base, "BYLINE_LOG_LEVEL": "warning"},
            stdout=self.log,
            stderr=self.log,
        )

    def version(self) -> str:
        return subprocess.run([VARNISHD, "-V"], capture_output=True, text=True).stderr.splitlines()[0]

    def stop(self) -> None:
        self.worker.terminate()
        self.worker.wait(timeout=60)
        self.log.close()
        subprocess.run([SCRIPT, "stop", str(self.port)], check=True)


def edit_latency(varnish: str, backend: str, url: str, secret: str, paths: list[str], edits: int) -> dict:
    """`edits` edits of articles at `paths` (each read through Varnish first, so it is cached), the
    milliseconds until each showed through Varnish, then a read of every edited article for stale ones."""
    engine = build_engine(url)
    with Session(engine) as session:
        _, key = issue_key(
            session,
            secret_key=secret,
            name=f"bench-varnish-{time.time_ns()}",
            scopes=[Scope("content:write")],
            now=datetime.now(UTC),
        )
        session.commit()
    engine.dispose()
    editor = httpx.Client(base_url=backend, timeout=10, headers={"Authorization": f"Bearer {key}"})
    reader = httpx.Client(base_url=varnish, timeout=10)
    rng = random.Random(28)
    latest: dict[str, str] = {}
    waits: list[float] = []
    never = 0
    try:
        for n in range(edits):
            path = rng.choice(paths)
            reader.get(path)
            excerpt = f"Edited for the Varnish benchmark, time {n}."
            answer = editor.patch(path, json={"excerpt": excerpt})
            committed = time.perf_counter()
            answer.raise_for_status()
            latest[path] = excerpt
            while reader.get(path).json()["excerpt"] != excerpt:
                if time.perf_counter() - committed > GIVE_UP_SECONDS:
                    never += 1
                    break
            else:
                waits.append((time.perf_counter() - committed) * 1000)
        stale = sum(reader.get(path).json()["excerpt"] != excerpt for path, excerpt in latest.items())
    finally:
        editor.close()
        reader.close()
    ordered = sorted(waits)
    return {
        "edits": edits,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, round(len(ordered) * 0.99))], 1),
        "max_ms": round(ordered[-1], 1),
        "never_shown": never,
        "stale_reads_after": stale,
        "articles_read_after": len(latest),
    }
