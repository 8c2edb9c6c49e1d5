"""Byline against the physical ceiling: `wrk` on loopback, Byline's answers next to nginx serving the
very same bytes from files, in one run on one machine.

    make bench                 # 10,000 articles
    make bench SIZE=100000
    make bench VARNISH=1       # and every read through Varnish in front, and edits' time to show

Builds a fresh SQLite newsroom (bench/newsroom.py), or one in the empty PostgreSQL database named
by --database-url (`make bench DATABASE=postgresql` starts a throwaway cluster for it), serves it
with `byline serve --workers 2` in
its default configuration (response cache on, then off) but for the access log, which nginx does
not write either (`BYLINE_LOG_LEVEL=warning`, `access_log off`), and runs each scenario with the
same `wrk` settings against Byline and against nginx. Prints one table and writes it, with the
machine's description, to bench/results/. scripts/bench.sh installs wrk and nginx first.
"""

import argparse
import http.client
import json
import os
import platform
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import text
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.db.engines import build_engine
from app.wiring import upgrade_database
from bench.newsroom import load
from bench.varnish import Varnish, edit_latency
from tests.server import BYLINE, free_port, wait_until_each_listens, workers_of

RESULTS = Path(__file__).resolve().parent / "results"
# Where Debian's packages put them (scripts/bench.sh installs them).
WRK, NGINX = "/usr/bin/wrk", "/usr/sbin/nginx"
CONNECTIONS, THREADS = 32, 2
# The same load, unrecorded, before each read scenario is measured.
WARM_UP_SECONDS = 2
SECRET = "bench-secret-key-not-for-production"
# The newsroom's pace in "reads under writes": edits of other articles, and approved comments on them.
EDITS_PER_SECOND, APPROVALS_PER_SECOND = 10, 20
# Writes the desk has under way at most; one started this long after it came due counts as late.
DESK_WRITERS, LATE_SECONDS = 8, 0.5
# What a reader of the lead story fetches, which none of those writes touches, and what they do touch.
UNDER_WRITES = (
    "article by slug",
    "comments of one article",
    "list, first page of 20",
    "author page",
    "related articles",
)

MIX_SCRIPT = """
articles = {%(articles)s}
lists = {%(lists)s}
request = function()
  if math.random() < 0.9 then
    return wrk.format("GET", articles[math.random(#articles)])
  end
  return wrk.format("GET", lists[math.random(#lists)])
end
"""

# Each request a new reader: a new address, spread over enough networks that no rate limit bites.
# Several paths: each connection asks the next in turn; wrk then also reports the 95th percentile.
ROTATING_SCRIPT = """
paths = {%(paths)s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter %% #paths + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("p95 %%.3f ms\\n", latency:percentile(95) / 1000))
end
"""
COMMENT_SCRIPT = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function()
  count = 0
end
request = function()
  count = count + 1
  local network = math.floor(count / 5)
  local address = string.format(
    "10.%%d.%%d.%%d", id * 16 + math.floor(network / 256) %% 16, network %% 256, count %% 5 + 1)
  local body = string.format(
    '{"author_name": "Reader %%d", "author_email": "bench%%d.%%d@example.com", "content": "Bench comment %%d-%%d."}',
    id, id, count, id, count)
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json", ["X-Forwarded-For"] = address}, body)
end
"""


@dataclass
class Measured:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    # Reported for a scenario of several paths.
    p95_ms: float | None = None


@dataclass
class Scenario:
    name: str
    paths: list[str]
    lists: list[str] = field(default_factory=list)
    comments: bool = False

    def script(self) -> str | None:
        if self.comments:
            return COMMENT_SCRIPT % {"path": self.paths[0]}
        if self.lists:
            quoted = {
                name: ", ".join(f'"{path}"' for path in paths)
                for name, paths in (("articles", self.paths), ("lists", self.lists))
            }
            return MIX_SCRIPT % quoted
        if len(self.paths) > 1:
            return ROTATING_SCRIPT % {"paths": _lua_list(self.paths)}
        return None


def _lua_list(paths: list[str]) -> str:
    return ", ".join(f'"{path}"' for path in paths)


def wrk(base: str, scenario: Scenario, seconds: int) -> Measured:
    command = [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if (lua := scenario.script()) is not None:
            script.write(lua)
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run([*command, base + scenario.paths[0]], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    broken = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(refused.group(1)) if refused else 0) + (sum(map(int, broken.groups())) if broken else 0)
    p95 = re.search(r"p95 ([\d.]+) ms", output)
    return Measured(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_milliseconds(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        p99_ms=_milliseconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        requests=requests,
        errors=failed,
        p95_ms=float(p95.group(1)) if p95 else None,
    )


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def benchmarked_settings(url: str) -> dict[str, str]:
    """The settings of a benchmarked server: its default configuration on `url`, the benchmark's
    clients trusted for the addresses they forward, and no access log."""
    return {
        "BYLINE_DATABASE_URL": url,
        "BYLINE_SECRET_KEY": SECRET,
        "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
        # Like nginx's `access_log off`: neither side writes a line per request.
        "BYLINE_LOG_LEVEL": "warning",
    }


class Server:
    """`byline serve` as an operator starts it, with the time until it first answers and the
    peak proportional memory (PSS) of each worker, sampled while it works."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by stop()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")} | env
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [BYLINE, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=environment | {"BYLINE_PUBLIC_URL": self.base},
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        while True:
            try:
                httpx.get(f"{self.base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if self.process.poll() is not None or time.perf_counter() - began > 120:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.01)
        if not wait_until_each_listens(self.workers(), self.port):
            raise RuntimeError("not every worker listens")
        self.startup_seconds = time.perf_counter() - began
        self.peak_pss_mb: dict[int, float] = {}
        self.peak_anonymous_mb: dict[int, float] = {}
        self._sampling = threading.Event()

    def workers(self) -> list[int]:
        return [int(pid) for pid in workers_of(self.process.pid)] or [self.process.pid]

    def sample_memory(self) -> None:
        for pid in self.workers():
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) / 1024
            self.peak_pss_mb[pid] = max(self.peak_pss_mb.get(pid, 0), pss)
            # PSS counts the worker's share of the database pages it has read through SQLite's
            # map; anonymous memory is the worker's own (interpreter, caches, stored answers).
            own = int(re.search(r"^Anonymous:\s+(\d+) kB", rollup, re.M).group(1)) / 1024
            self.peak_anonymous_mb[pid] = max(self.peak_anonymous_mb.get(pid, 0), own)

    def measure(self, scenario: Scenario, seconds: int) -> Measured:
        if not scenario.comments:
            # As on a server that has been up a while: each answer asked for once before, and the
            # connections its pools open under this load opened (on PostgreSQL, a server's first
            # seconds under load open about 30 connections, each a new server process whose first
            # statements find its caches empty: p99 170-260 ms in those seconds, 12 ms after).
            with httpx.Client(base_url=self.base, timeout=60) as client:
                for path in scenario.paths + scenario.lists:
                    client.get(path)
            wrk(self.base, scenario, WARM_UP_SECONDS)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                self.sample_memory()

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            return wrk(self.base, scenario, seconds)
        finally:
            done.set()
            sampler.join()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def measure_through(base: str, scenario: Scenario, seconds: int) -> Measured:
    """A scenario against a cache in front of the cached server, each answer asked for once first."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in scenario.paths + scenario.lists:
            client.get(path)
    return wrk(base, scenario, seconds)


class Nginx:
    """nginx serving each scenario's bytes from a file at the very URL Byline answers, and a fixed
    201 for comment submissions."""

    def __init__(self, folder: Path, replies: dict[str, bytes], comment_path: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        (folder / "replies").mkdir(parents=True)
        routes = []
        for n, (uri, body) in enumerate(replies.items()):
            (folder / "replies" / f"{n}.json").write_bytes(body)
            routes.append(f'    "{uri}" /replies/{n}.json;')
        newline = "\n"
        # As root, nginx's workers would otherwise run as nobody and could not read the temporary folder.
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"""worker_processes {os.cpu_count()};
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  map_hash_bucket_size 512;
  map_hash_max_size 65536;
  map $request_uri $reply {{
    default "";
{newline.join(routes)}
  }}
  server {{
    listen 127.0.0.1:{self.port};
    root {folder};
    default_type application/json;
    location = {comment_path} {{ return 201 '{{"status": "pending"}}'; }}
    location / {{ try_files $reply =404; }}
  }}
}}
"""
        )
        subprocess.run([NGINX, "-c", str(folder / "nginx.conf")], check=True)

    def measure(self, scenario: Scenario, seconds: int) -> Measured:
        measured = wrk(self.base, scenario, seconds)
        # A ceiling made of error pages would make every ratio meaningless.
        if measured.errors:
            log = (self.folder / "error.log").read_text()[-2000:]
            raise SystemExit(f"nginx failed {measured.errors} requests of {scenario.name!r}:\n{log}")
        return measured

    def stop(self) -> None:
        subprocess.run([NGINX, "-c", str(self.folder / "nginx.conf"), "-s", "stop"], check=True)


def scenarios(base: str) -> list[Scenario]:
    with httpx.Client(base_url=base, timeout=60) as client:
        first = client.get("/api/v1/articles?limit=20").json()
        # 200 pages in, or as deep as a smaller newsroom goes.
        depth = max(0, min(200, first["meta"]["total"] // 20 - 2))
        deep = first["links"]["next"]
        for _ in range(depth):
            deep = client.get(deep).json()["links"]["next"]
        deep = deep.removeprefix(base)
        lead = first["data"][0]
        commented = next(
            article["slug"]
            for article in client.get("/api/v1/articles?limit=100").json()["data"]
            if article["comment_count"]
        )
        articles, url = [], "/api/v1/articles?limit=100"
        while url and len(articles) < 1000:
            page = client.get(url).json()
            articles += [f"/api/v1/articles/{article['slug']}" for article in page["data"]]
            url = (page["links"]["next"] or "").removeprefix(base)
    author = lead["authors"][0]["slug"]
    lists = ["/api/v1/articles?limit=20"] + [
        f"/api/v1/articles?{name}={slug}"
        for name, slug in (("section", lead["section"]["slug"]), ("author", author), ("tag", lead["tags"][0]["slug"]))
    ]
    return [
        Scenario("article by slug", [f"/api/v1/articles/{lead['slug']}"]),
        Scenario("list, first page of 20", ["/api/v1/articles?limit=20"]),
        Scenario(f"list, {depth} pages deep", [deep]),
        Scenario("author page", [f"/api/v1/authors/{author}/articles"]),
        Scenario("related articles", [f"/api/v1/articles/{lead['slug']}/related"]),
        Scenario("search", ["/api/v1/articles?q=" + quote("election")]),
        Scenario("comments of one article", [f"/api/v1/articles/{commented}/comments"]),
        Scenario("mix: 90% of 1,000 articles, 10% lists", articles[:1000], lists=lists),
        Scenario("comment submission", [f"/api/v1/articles/{lead['slug']}/comments"], comments=True),
    ]


class DeskAtWork(threading.Thread):
    """An editor and a moderator at work on every article but `spared`: EDITS_PER_SECOND excerpt
    edits, and APPROVALS_PER_SECOND comments posted by readers and approved, each started on time
    whether the ones before have been answered or not (by up to DESK_WRITERS at once), as a newsroom's
    people do not wait for each other."""

    def __init__(self, base: str, url: str, slugs: list[str], spared: set[str]) -> None:
        super().__init__(name="bench-newsroom")
        engine = build_engine(url)
        with Session(engine) as session:
            scopes = [Scope("content:write"), Scope("comments:moderate")]
            _, key = issue_key(
                session, secret_key=SECRET, name=f"bench-desk-{time.time_ns()}", scopes=scopes, now=datetime.now(UTC)
            )
            session.commit()
        engine.dispose()
        self.address = urlsplit(base).netloc
        self.authorization = f"Bearer {key}"
        self._connections = threading.local()
        self.slugs = [slug for slug in slugs if slug not in spared]
        self.stopped = threading.Event()
        self.done: dict[str, float] = {"edits": 0, "approvals": 0, "failures": 0, "late": 0}
        # What each failure was: the method and status of a refused request, or the error of a lost one.
        self.why_failed: dict[str, float] = {}
        self._counting = threading.Lock()
        self._began = time.monotonic()

    def run(self) -> None:
        self._began = began = time.monotonic()
        count = 0
        step = 1 / (EDITS_PER_SECOND + APPROVALS_PER_SECOND)
        with ThreadPoolExecutor(DESK_WRITERS, thread_name_prefix="bench-desk") as writers:
            while not self.stopped.is_set():
                slug = self.slugs[count % len(self.slugs)]
                edit = count % (EDITS_PER_SECOND + APPROVALS_PER_SECOND) < EDITS_PER_SECOND
                writers.submit(self._write, slug, count, edit, began + count * step)
                count += 1
                self.stopped.wait(max(0.0, began + count * step - time.monotonic()))
            writers.shutdown(cancel_futures=True)

    def _write(self, slug: str, count: int, edit: bool, due: float) -> None:
        if self.stopped.is_set():
            return
        if time.monotonic() - due > LATE_SECONDS:
            self._count("late")  # every writer was busy when it came due
        try:
            outcome = self.edit(slug, count) if edit else self._approve_new(slug, count)
        except (OSError, http.client.HTTPException) as error:
            self._connections.open.close()  # http.client opens it again for the next write
            outcome = "failures"
            self._count(type(error).__name__, self.why_failed)
        self._count(outcome)

    def _count(self, outcome: str, counts: dict[str, float] | None = None) -> None:
        with self._counting:
            counts = self.done if counts is None else counts
            counts[outcome] = counts.get(outcome, 0) + 1

    def _send(self, method: str, path: str, body: dict, **headers: str) -> tuple[int, bytes]:
        """One request on this writer thread's own connection, kept open: in a newsroom the desk's
        clients run on other machines, so theirs is the least CPU the benchmark can take here."""
        connection = getattr(self._connections, "open", None)
        if connection is None:
            connection = self._connections.open = http.client.HTTPConnection(self.address, timeout=10)
        head = {"Content-Type": "application/json", **headers}
        try:
            connection.request(method, path, json.dumps(body), head)
        except (BrokenPipeError, ConnectionResetError):
            # The server had closed the kept connection: it read nothing of this request, which goes
            # again on a new one, as HTTP clients do.
            connection.close()
            connection.request(method, path, json.dumps(body), head)
        answer = connection.getresponse()
        if answer.status >= 400:
            self._count(f"{method} {answer.status}", self.why_failed)
        return answer.status, answer.read()

    def edit(self, slug: str, count: int) -> str:
        edit = {"excerpt": f"Updated {count} times."}
        status, _ = self._send("PATCH", f"/api/v1/articles/{slug}", edit, Authorization=self.authorization)
        return "edits" if status == 200 else "failures"

    def post(self, slug: str, count: int) -> int | None:
        """A reader's comment on `slug`: its id, or None if it was refused."""
        # Each reader from a network of their own, as the rate limits expect of a busy comment section.
        address = f"10.{count >> 8 & 255}.{count & 255}.1"
        body = {"author_name": "Reader", "author_email": f"desk{count}@example.com", "content": f"Desk reply {count}."}
        status, posted = self._send("POST", f"/api/v1/articles/{slug}/comments", body, **{"X-Forwarded-For": address})
        # Published at once, or held for moderation.
        return json.loads(posted)["id"] if status in (201, 202) else None

    def approve(self, comment: int) -> str:
        status, _ = self._send(
            "PATCH", f"/api/v1/comments/{comment}", {"status": "approved"}, Authorization=self.authorization
        )
        return "approvals" if status == 200 else "failures"

    def _approve_new(self, slug: str, count: int) -> str:
        comment = self.post(slug, count)
        return "failures" if comment is None else self.approve(comment)

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join()
        return self.done | {"seconds": round(time.monotonic() - self._began, 1), "why_failed": self.why_failed}


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = {
        "nginx": subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip(),
        "wrk": subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.splitlines()[0],
    }
    return {
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **versions,
    }


def database(url: str) -> str:
    engine = build_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            named = f"SQLite {sqlite3.sqlite_version}"
        else:
            named = "PostgreSQL " + connection.execute(text("SHOW server_version")).scalar_one().split()[0]
    engine.dispose()
    return named


def stored_comments(url: str) -> tuple[int, int]:
    """Comments the benchmark submitted that the database holds, and how many distinct ones."""
    engine = build_engine(url)
    with engine.connect() as connection:
        total, distinct = connection.execute(
            text("SELECT count(*), count(DISTINCT content) FROM comment WHERE content LIKE 'Bench comment %'")
        ).one()
    engine.dispose()
    return total, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="Articles in the newsroom.")
    parser.add_argument("--seconds", type=int, default=5, help="Length of each wrk run.")
    parser.add_argument("--database-url", help="An empty PostgreSQL database to serve from instead of SQLite.")
    parser.add_argument("--varnish", action="store_true", help="Also through Varnish in front (scripts/varnish.sh).")
    parser.add_argument("--edits", type=int, default=200, help="Edits timed until they show through Varnish.")
    parser.add_argument(
        "--desk-apart",
        action="store_true",
        help="The desk of reads under writes on a server of its own (one worker, same database).",
    )
    args = parser.parse_args()
    if not (os.access(WRK, os.X_OK) and os.access(NGINX, os.X_OK)):
        raise SystemExit("wrk and nginx are needed: run `make bench`, which installs them.")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        began = time.perf_counter()
        upgrade_database(url)
        load(url, args.size)
        served_from = database(url)
        print(f"newsroom of {args.size:,} articles built in {time.perf_counter() - began:.1f} s", flush=True)
        env = benchmarked_settings(url)
        results: dict[str, dict] = {}
        edits: dict | None = None
        varnish_version = ""
        cached = Server(env)
        varnish = Varnish(cached.port, env) if args.varnish else None
        try:
            cases = scenarios(cached.base)
            replies = {
                path: httpx.get(cached.base + path, timeout=60).content
                for case in cases
                if not case.comments
                for path in case.paths + case.lists
            }
            nginx = Nginx(Path(folder) / "nginx", replies, cases[-1].paths[0])
            try:
                for case in cases:
                    print(f"  {case.name}", flush=True)
                    results[case.name] = {
                        "nginx": nginx.measure(case, args.seconds),
                        "cached": cached.measure(case, args.seconds),
                    }
                    if varnish is not None and not case.comments:
                        results[case.name]["varnish"] = measure_through(varnish.base, case, args.seconds)
            finally:
                nginx.stop()
            if varnish is not None:
                print(f"  {args.edits} edits, each until it shows through Varnish", flush=True)
                edits = edit_latency(varnish.base, cached.base, url, SECRET, cases[7].paths, args.edits)
            # The same reads while the newsroom writes to other articles.
            lead = cases[0].paths[0].rsplit("/", 1)[1]
            commented = cases[6].paths[0].split("/")[4]
            slugs = [path.rsplit("/", 1)[1] for path in cases[7].paths]
            # Apart, as docs/how-to/postgresql.md deploys it: writes served by processes of their own.
            desk = Server(env, workers=1) if args.desk_apart else cached
            writing = DeskAtWork(desk.base, url, slugs, spared={lead, commented})
            writing.start()
            try:
                for case in cases:
                    if case.name in UNDER_WRITES:
                        print(f"  {case.name}, under writes", flush=True)
                        results[case.name]["under_writes"] = cached.measure(case, args.seconds)
            finally:
                newsroom_writes = writing.stop() | {"desk_apart": args.desk_apart}
                if desk is not cached:
                    desk.stop()
        finally:
            if varnish is not None:
                varnish_version = varnish.version()
                varnish.stop()
            cached.stop()
        acknowledged = results["comment submission"]["cached"].requests - results["comment submission"]["cached"].errors
        stored, distinct = stored_comments(url)
        uncached = Server(env | {"BYLINE_RESPONSE_CACHE": "false"})
        try:
            for case in cases:
                if not case.comments:
                    print(f"  {case.name}, cache off", flush=True)
                    results[case.name]["uncached"] = uncached.measure(case, args.seconds)
        finally:
            uncached.stop()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": args.size,
        "database": served_from,
        "wrk": {"threads": THREADS, "connections": CONNECTIONS, "seconds": args.seconds},
        "machine": machine(),
        "startup_seconds": round(cached.startup_seconds, 2),
        "peak_pss_mb_per_worker": round(max(cached.peak_pss_mb.values()), 1),
        "peak_pss_mb_per_worker_cache_off": round(max(uncached.peak_pss_mb.values()), 1),
        "peak_anonymous_mb_per_worker": round(max(cached.peak_anonymous_mb.values()), 1),
        "peak_anonymous_mb_per_worker_cache_off": round(max(uncached.peak_anonymous_mb.values()), 1),
        "comments": {"acknowledged": acknowledged, "stored": stored, "distinct": distinct},
        "writes_during_reads": newsroom_writes | {"per_second": [EDITS_PER_SECOND, APPROVALS_PER_SECOND]},
        **({"varnish": {"version": varnish_version, "edits": edits}} if edits is not None else {}),
        "scenarios": {
            name: {kind: asdict(measured) for kind, measured in measures.items()} for name, measures in results.items()
        },
    }
    RESULTS.mkdir(exist_ok=True)
    postgres = "-postgresql" if args.database_url else ""
    through = "-varnish" if args.varnish else ""
    apart = "-desk-apart" if args.desk_apart else ""
    written = RESULTS / f"{report['when'][:10]}-{args.size}{postgres}{through}{apart}.json"
    written.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nwritten to {written.relative_to(RESULTS.parent.parent)}")


def _why(failed: dict[str, float] | None) -> str:
    return f" ({', '.join(f'{n:.0f} {what}' for what, n in failed.items())})" if failed else ""


def print_table(report: dict) -> None:
    print(
        f"\n{report['articles']:,} articles, {report['database']}, `byline serve --workers 2`, "
        f"wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{report['wrk']['seconds']}s on loopback, {report['machine']['cores']} cores shared with wrk, "
        "no access log on either side\n"
    )
    columns = ["scenario", "nginx req/s", "cached req/s", "ratio", "p50 / p99 ms"]
    columns += ["cache off req/s", "ratio", "p50 / p99 ms", "errors"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, measures in report["scenarios"].items():
        ceiling, cached = measures["nginx"], measures["cached"]
        off = measures.get("uncached")
        row = [
            name,
            f"{ceiling['requests_per_second']:,.0f}",
            f"{cached['requests_per_second']:,.0f}",
            f"{cached['requests_per_second'] / ceiling['requests_per_second']:.2f}",
            f"{cached['p50_ms']:.1f} / {cached['p99_ms']:.1f}",
            f"{off['requests_per_second']:,.0f}" if off else "n/a",
            f"{off['requests_per_second'] / ceiling['requests_per_second']:.3f}" if off else "n/a",
            f"{off['p50_ms']:.1f} / {off['p99_ms']:.1f}" if off else "n/a",
            str(cached["errors"] + (off["errors"] if off else 0)),
        ]
        print("| " + " | ".join(row) + " |")
    comments = report["comments"]
    print(
        f"\nstart-up {report['startup_seconds']} s; peak PSS per worker {report['peak_pss_mb_per_worker']} MB "
        f"(cache off {report['peak_pss_mb_per_worker_cache_off']} MB), of it anonymous "
        f"{report['peak_anonymous_mb_per_worker']} MB "
        f"(cache off {report['peak_anonymous_mb_per_worker_cache_off']} MB); "
        "comments acknowledged "
        f"{comments['acknowledged']:,}, stored {comments['stored']:,} ({comments['distinct']:,} distinct)"
    )
    through = {name: measures for name, measures in report["scenarios"].items() if "varnish" in measures}
    if through:
        print(f"\nthrough {report['varnish']['version']} in front of the cached server (deploy/varnish/byline.vcl)\n")
        print("| scenario | nginx req/s | Varnish req/s | of nginx | p50 / p99 ms | errors |")
        print("|---|---|---|---|---|---|")
        for name, measures in through.items():
            ceiling, varnish = measures["nginx"], measures["varnish"]
            row = [
                name,
                f"{ceiling['requests_per_second']:,.0f}",
                f"{varnish['requests_per_second']:,.0f}",
                f"{varnish['requests_per_second'] / ceiling['requests_per_second']:.2f}",
                f"{varnish['p50_ms']:.1f} / {varnish['p99_ms']:.1f}",
                str(varnish["errors"]),
            ]
            print("| " + " | ".join(row) + " |")
        edits = report["varnish"]["edits"]
        print(
            f"\nedit to visible through Varnish, {edits['edits']} edits: p50 {edits['p50_ms']} ms, "
            f"p99 {edits['p99_ms']} ms, max {edits['max_ms']} ms, never shown {edits['never_shown']}; "
            f"stale reads after: {edits['stale_reads_after']} of {edits['articles_read_after']} articles read again"
        )
    under = {name: measures for name, measures in report["scenarios"].items() if "under_writes" in measures}
    if under:
        writes = report["writes_during_reads"]
        print(
            f"\nreads under writes: {writes['per_second'][0]} edits and {writes['per_second'][1]} approved comments a "
            f"second on other articles ({writes['edits']:,} edits, {writes['approvals']:,} approvals, "
            f"{writes['failures']} failures{_why(writes.get('why_failed'))}, {writes['late']} started late, "
            f"in {writes['seconds']} s)"
            + (", sent to a server of their own (one worker)" if writes.get("desk_apart") else "")
            + "\n"
        )
        print("| scenario | quiet req/s | under writes req/s | of quiet | p50 / p99 ms |")
        print("|---|---|---|---|---|")
        for name, measures in under.items():
            quiet, busy = measures["cached"], measures["under_writes"]
            share = busy["requests_per_second"] / quiet["requests_per_second"]
            row = [
                name,
                f"{quiet['requests_per_second']:,.0f}",
                f"{busy['requests_per_second']:,.0f}",
                f"{share:.2f}",
                f"{busy['p50_ms']:.1f} / {busy['p99_ms']:.1f}",
            ]
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
