"""Start-up time after a clean stop and after `kill -9` under load, on the same port and database.

    .venv/bin/python -m bench.restart [--workers 2] [--load-seconds 5] [--rounds 3]

Serves the demo newsroom (SQLite by default, or BYLINE_BENCH_DATABASE_URL), loads it with comment
writes and reads that go on through the restart, stops it (SIGTERM, or SIGKILL to `byline serve`
or to every process it started), starts it again at once on the same port, and prints how long
until every new worker listens and until an article is answered.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import httpx

from app.wiring import upgrade_database
from tests.server import BYLINE, LISTENING, free_port, sockets_of, workers_of

LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"
SECRET = "bench-secret-key-not-for-production"


def start(env: dict[str, str], port: int, workers: int, log: int) -> subprocess.Popen[bytes]:
    command = [BYLINE, "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)


def until_listening(server: subprocess.Popen[bytes], port: int, workers: int, began: float) -> float:
    """Until the new server's own processes listen: a worker left from the last one may answer before."""
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        processes = [server.pid] if workers == 1 else workers_of(server.pid)
        if len(processes) >= workers and all(sockets_of(pid, port, state=LISTENING) for pid in processes):
            return time.monotonic() - began
        if time.monotonic() - began > 120:
            raise SystemExit("the server did not listen within 120 s")
        time.sleep(0.02)


def until_answers(base: str, path: str, began: float) -> float:
    while True:
        try:
            if httpx.get(f"{base}{path}", timeout=1).status_code == 200:
                return time.monotonic() - began
        except httpx.TransportError:
            pass
        if time.monotonic() - began > 120:
            raise SystemExit(f"{path} did not answer within 120 s")
        time.sleep(0.02)


def load(base: str, stop: threading.Event, writer: int) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            body = {"author_name": f"L{writer}", "author_email": f"l{writer}-{n}@example.com", "content": f"Load {n}."}
            try:
                client.post(f"/api/v1/articles/{LEAD}/comments", json=body)
                client.get("/api/v1/articles", params={"limit": 5, "q": f"news {n % 7}"})
            except httpx.TransportError:
                time.sleep(0.01)  # the server is restarting


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load-seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--kill", choices=["server", "group"], default="server", help="`byline serve` alone, or with its workers"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="byline-restart-")
    url = os.environ.get("BYLINE_BENCH_DATABASE_URL") or f"sqlite:///{folder}/byline.db"
    upgrade_database(url, "head")
    demo = os.environ | {"BYLINE_DATABASE_URL": url}
    subprocess.run([BYLINE, "demo", "load"], env=demo, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BYLINE_")}
    env = inherited | {
        "BYLINE_DATABASE_URL": url,
        "BYLINE_SECRET_KEY": SECRET,
        "BYLINE_PUBLIC_URL": base,
        "BYLINE_LOG_LEVEL": "warning",
        "BYLINE_COMMENT_LIMIT_PER_NETWORK": "1000000",
        "BYLINE_COMMENT_LIMIT_PER_EMAIL": "1000000",
    }
    log = os.open(f"{folder}/server.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    server = start(env, port, args.workers, log)
    until_listening(server, port, args.workers, time.monotonic())
    print(
        f"database {url.split(':', 1)[0]}, {args.workers} workers, {args.load_seconds:g} s of load before each stop, "
        f"kill -9 to {args.kill}"
    )
    for stopping in ["clean"] * args.rounds + ["kill -9"] * args.rounds:
        stop = threading.Event()
        loaders = [threading.Thread(target=load, args=(base, stop, n)) for n in range(8)]
        for loader in loaders:
            loader.start()
        time.sleep(args.load_seconds)
        killed = workers_of(server.pid)
        if stopping == "clean":
            server.send_signal(signal.SIGTERM)
            server.wait()
        else:
            if args.kill == "group":
                os.killpg(server.pid, signal.SIGKILL)
            else:
                server.kill()
            server.wait()
        began = time.monotonic()
        server = start(env, port, args.workers, log)
        listening = until_listening(server, port, args.workers, began)
        article = until_answers(base, f"/api/v1/articles/{LEAD}", began)
        stop.set()
        for loader in loaders:
            loader.join()
        left = sum(os.path.exists(f"/proc/{pid}") for pid in killed)
        print(
            f"after {stopping:8}: new server listening in {listening:.2f} s, an article answered in {article:.2f} s; "
            f"{left} of the last server's workers still running"
        )
        for pid in killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    server.send_signal(signal.SIGTERM)
    server.wait()
    print(f"server log: {folder}/server.log", file=sys.stderr)


if __name__ == "__main__":
    main()
