"""Which server to run Byline's workers in: `byline serve` (uvicorn with Byline's HTTP protocol)
against Granian (a Rust HTTP server), on the cached reads, with nginx serving the same bytes in the
same run.

Both run the same app (`app.serve:worker_app`) with two workers on the same newsroom, and
each scenario is measured on the three servers back to back, so the ratios compare like with like.

    .venv/bin/python -m bench.servers [--size N] [--seconds S] [--rounds R]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import httpx

from app.wiring import upgrade_database
from bench.newsroom import load
from bench.suite import NGINX, SECRET, WRK, Nginx, Scenario, Server, machine, wrk
from tests.server import free_port

GRANIAN = str(Path(sys.executable).with_name("granian"))


class Granian:
    """Granian's ASGI interface serving the app factory `byline serve` gives uvicorn."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by stop()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")} | env
        command = [GRANIAN, "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers), "--no-ws", "--log-level", "warning", "app.serve:worker_app"]
        self.process = subprocess.Popen(
            command,
            env=environment | {"BYLINE_PUBLIC_URL": self.base},
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        began = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.perf_counter() - began > 120:
                self.log.seek(0)
                raise RuntimeError(f"granian did not start:\n{self.log.read()[-2000:]}")
            time.sleep(0.05)

    def measure(self, scenario: Scenario, seconds: int):
        with httpx.Client(base_url=self.base, timeout=60) as client:
            for path in scenario.paths:
                client.get(path)
        return wrk(self.base, scenario, seconds)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def cached_reads(base: str) -> list[Scenario]:
    with httpx.Client(base_url=base, timeout=60) as client:
        lead = client.get("/api/v1/articles?limit=1").json()["data"][0]
    return [
        Scenario("article by slug", [f"/api/v1/articles/{lead['slug']}"]),
        Scenario("list, first page of 20", ["/api/v1/articles?limit=20"]),
        Scenario("related articles", [f"/api/v1/articles/{lead['slug']}/related"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2_000, help="Articles in the newsroom.")
    parser.add_argument("--seconds", type=int, default=5, help="Length of each wrk run.")
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each scenario on each server.")
    args = parser.parse_args()
    if not (os.access(WRK, os.X_OK) and os.access(NGINX, os.X_OK)):
        raise SystemExit("wrk and nginx are needed: run `make bench`, which installs them.")
    print(f"{machine()['cpu']}, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade_database(url)
        load(url, args.size)
        env = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_SECRET_KEY": SECRET,
            "BYLINE_LOG_LEVEL": "warning",
        }
        uvicorn, granian = Server(env), Granian(env)
        try:
            cases = cached_reads(uvicorn.base)
            for case in cases:
                for path in case.paths:
                    answers = [httpx.get(base + path, timeout=60) for base in (uvicorn.base, granian.base)]
                    # Links name each server's own address; nothing else may differ.
                    bases = (uvicorn.base, granian.base)
                    bodies = [a.content.replace(base.encode(), b"") for a, base in zip(answers, bases, strict=True)]
                    if bodies[0] != bodies[1] or {a.status_code for a in answers} != {200}:
                        raise SystemExit(f"the two servers answer {path} differently")
            replies = {
                path: httpx.get(uvicorn.base + path, timeout=60).content for case in cases for path in case.paths
            }
            nginx = Nginx(Path(folder) / "nginx", replies, "/unused")
            try:
                print(f"{'scenario':<26}{'nginx':>10}{'byline serve':>14}{'ratio':>7}{'granian':>10}{'ratio':>7}")
                for case in cases:
                    rates: dict[str, list[float]] = {"nginx": [], "uvicorn": [], "granian": []}
                    for _ in range(args.rounds):
                        for name, server in (("nginx", nginx), ("uvicorn", uvicorn), ("granian", granian)):
                            measured = server.measure(case, args.seconds)
                            if measured.errors:
                                raise SystemExit(f"{name} failed {measured.errors} requests of {case.name!r}")
                            rates[name].append(measured.requests_per_second)
                    best = {name: median(values) for name, values in rates.items()}
                    print(
                        f"{case.name:<26}{best['nginx']:>10,.0f}{best['uvicorn']:>14,.0f}"
                        f"{best['uvicorn'] / best['nginx']:>7.2f}{best['granian']:>10,.0f}"
                        f"{best['granian'] / best['nginx']:>7.2f}",
                        flush=True,
                    )
            finally:
                nginx.stop()
        finally:
            uvicorn.stop()
            granian.stop()


if __name__ == "__main__":
    main()
