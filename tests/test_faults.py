"""Real processes, real signals: what the API acknowledged is there after it was killed."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.articles.models import Article, ArticleRevision
from app.comments.models import Comment
from app.db.engines import build_engine
from app.server.supervisor import HEALTHCHECK_SECONDS
from app.wiring import upgrade_database
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import ESTABLISHED, demo_loaded, served, sockets_of, wait_until_each_listens, workers_of
from tests.test_cli import LEAD

POSTGRES_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "postgres.sh"

WRITERS = 4
# How long writes run before the kill; `make soak` raises it.
LOAD_SECONDS = float(os.environ.get("BYLINE_SOAK_SECONDS", "1"))


def test_no_acknowledged_write_is_lost_or_doubled_when_the_server_is_killed(database_url, session, api_key):
    article = make_article(session)
    slug, author, editor = article.slug, article.authors[0].slug, api_key("content:write")
    session.rollback()
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_COMMENT_LIMIT_PER_NETWORK": "1000000",
        "BYLINE_COMMENT_LIMIT_PER_EMAIL": "1000000",
    }
    acknowledged: dict[int, str] = {}
    created: dict[str, str] = {}
    patched: list[int] = []  # edit numbers the API acknowledged, in order
    stop = threading.Event()

    def edit(base: str) -> None:
        with loopback.client(base_url=base, timeout=10, headers=editor) as client:
            for n in range(1, 100_000):
                if stop.is_set():
                    return
                try:
                    answer = client.patch(f"/api/v1/articles/{slug}", json={"subtitle": f"Edit {n}"})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    patched.append(n)

    def create(writer: int, base: str) -> None:
        with loopback.client(base_url=base, timeout=10, headers=editor) as client:
            for n in range(100_000):
                if stop.is_set():
                    return
                title = f"Desk {writer} story {n}"
                body = {"title": title, "authors": [author], "body": [{"type": "paragraph", "text": title}]}
                try:
                    answer = client.post("/api/v1/articles", json=body)
                except httpx.TransportError:
                    return
                if answer.status_code == 201:
                    created[answer.json()["slug"]] = title

    def write(writer: int, base: str) -> None:
        with loopback.client(base_url=base, timeout=10) as client:
            for n in range(100_000):
                if stop.is_set():
                    return
                content = f"Writer {writer}, comment {n}."
                body = {"author_name": f"W{writer}", "author_email": f"w{writer}-{n}@example.com", "content": content}
                try:
                    answer = client.post(f"/api/v1/articles/{slug}/comments", json=body)
                except httpx.TransportError:
                    return  # the server is gone
                if answer.status_code in (201, 202):
                    acknowledged[answer.json()["id"]] = content

    with served(env, workers=2) as (server, base):
        writers = [threading.Thread(target=write, args=(n, base)) for n in range(WRITERS)]
        writers += [threading.Thread(target=create, args=(n, base)) for n in range(2)]
        writers.append(threading.Thread(target=edit, args=(base,)))
        for writer in writers:
            writer.start()
        time.sleep(LOAD_SECONDS)
        # On a busy machine, wait until there is enough in flight to make the kill telling.
        deadline = time.monotonic() + 60
        while (len(acknowledged) <= 20 or len(created) <= 5 or not patched) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(server.pid, signal.SIGKILL)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    stored = dict(session.exec(select(Comment.id, Comment.content)).all())
    articles = dict(session.exec(select(Article.slug, Article.title)).all())
    revisions = dict(
        session.exec(select(Article.slug, func.count()).join(ArticleRevision).group_by(Article.slug)).all()
    )
    assert len(acknowledged) > 20 and len(created) > 5
    assert {slug_: articles.get(slug_) for slug_ in created} == created
    assert all(revisions[slug_] == 1 for slug_ in created)
    # The last acknowledged edit, or one the server committed just before it died, is what stands,
    # with one revision per committed edit after the first.
    edited = session.exec(select(Article.subtitle).where(Article.slug == slug)).one()
    assert patched and int(edited.removeprefix("Edit ")) in (patched[-1], patched[-1] + 1)
    assert revisions[slug] == 1 + int(edited.removeprefix("Edit "))
    assert {id_: stored.get(id_) for id_ in acknowledged} == acknowledged
    assert len(set(stored.values())) == len(stored)
    if database_url.startswith("sqlite"):
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    found = f"comments acknowledged {len(acknowledged)}, found {len(stored)}"
    print(
        f"{found}; articles acknowledged {len(created)}, found {len(articles) - 1}; edits acknowledged {len(patched)}"
    )


def _postgres(*args: str) -> str:
    return subprocess.run([POSTGRES_SCRIPT, *args], capture_output=True, text=True, check=True, timeout=300).stdout


@contextmanager
def own_postgres() -> Iterator[tuple[str, str]]:
    """A cluster of this test's own, so it can crash it: its URL and its folder."""
    exports = dict(line.removeprefix("export ").split("=", 1) for line in _postgres("start").splitlines())
    try:
        yield exports["BYLINE_TEST_DATABASE_URL"], exports["BYLINE_TEST_PGDATA"]
    finally:
        _postgres("stop", exports["BYLINE_TEST_PGDATA"])


def test_a_postgres_outage_serves_cached_reads_stale_refuses_the_rest_with_503_and_recovers_by_itself(tmp_path):
    log_path = tmp_path / "server.log"
    with own_postgres() as (url, folder):
        # What `byline db upgrade` and `byline demo load` run (test_cli runs the commands themselves).
        upgrade_database(url)
        demo_loaded(url, media_dir=tmp_path / "media")
        comment = {"author_name": "Reader", "author_email": "reader@example.com", "content": "Still there?"}
        env = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_SECRET_KEY": TEST_SECRET,
            "BYLINE_MEDIA_DIR": str(tmp_path / "media"),
        }
        with (
            served(env, workers=2, log_path=log_path) as (_, base),
            loopback.client(base_url=base, timeout=30) as client,
        ):
            # Each worker keeps its own cache: reads, each on a connection of its own (which the kernel
            # hands to either worker), until both have answered one (a made request id starts with its
            # worker's prefix), so both hold the article.
            workers_read: set[str] = set()
            for _ in range(500):
                before = client.get(f"/api/v1/articles/{LEAD}", headers={"Connection": "close"})
                workers_read.add(before.headers["x-request-id"][:16])
                if len(workers_read) == 2:
                    break
            assert before.status_code == 200 and len(workers_read) == 2
            logged_before = len(log_path.read_text().splitlines())
            _postgres("halt", folder)
            stale: list[httpx.Response] = []
            refused: list[httpx.Response] = []
            for _ in range(5):
                stale.append(client.get(f"/api/v1/articles/{LEAD}"))
                for request in (
                    client.build_request("GET", "/api/v1/authors"),
                    client.build_request("POST", f"/api/v1/articles/{LEAD}/comments", json=comment),
                    client.build_request("GET", "/readyz"),
                ):
                    refused.append(client.send(request))
            assert all(answer.status_code == 200 and answer.content == before.content for answer in stale)
            assert all(answer.headers["X-Cache"] == "STALE" and int(answer.headers["Age"]) >= 0 for answer in stale)
            assert {answer.status_code for answer in refused} == {503}
            assert all(answer.headers["content-type"] == "application/problem+json" for answer in refused)
            assert all(answer.headers.get("Retry-After") for answer in refused if answer.url.path != "/readyz")

            during = [json.loads(line) for line in log_path.read_text().splitlines()[logged_before:]]

            _postgres("resume", folder)
            resumed = time.monotonic()
            while client.get("/api/v1/authors").status_code != 200:
                assert time.monotonic() - resumed < 30, "the API did not recover on its own"
                time.sleep(0.1)
            recovery = time.monotonic() - resumed
            assert client.post(f"/api/v1/articles/{LEAD}/comments", json=comment).status_code == 202
            assert client.get("/readyz").status_code == 200
            assert client.get(f"/api/v1/articles/{LEAD}").headers["X-Cache"] != "STALE"
        # One JSON line per failed request at most, no traceback; the rest is each worker noting the outage once.
        assert all("exception" not in line for line in during)
        requests = [line for line in during if line["logger"] == "byline.access"]
        assert len(requests) <= len(stale) + len(refused)
        assert all(line["failure"].startswith("database unavailable") for line in requests)
        assert len(during) - len(requests) <= 4 * 2
        print(f"outage: {len(stale)} stale answers, {len(refused)} refused; recovered {recovery:.2f} s after restart")


def test_sigterm_lets_the_request_in_flight_finish_then_exits_cleanly(sqlite_url):
    database_url = sqlite_url
    demo_loaded(database_url)
    body = b'{"author_name": "Late reader", "author_email": "late@example.com", "content": "Before the lights go out."}'
    with served({"BYLINE_DATABASE_URL": database_url}) as (server, base):
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as reader:
            head = f"POST /api/v1/articles/{LEAD}/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            reader.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body[:20])
            time.sleep(0.5)
            server.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((host, int(port)), timeout=5)
            reader.sendall(body[20:])
            answer = b""
            while chunk := reader.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 202"), answer[:200]
        # uvicorn stops, then ends itself with the signal it caught, as service managers expect.
        assert server.wait(timeout=30) == -signal.SIGTERM
    engine = build_engine(database_url)
    with Session(engine) as session:
        assert session.exec(select(Comment.content).where(Comment.author_name == "Late reader")).all() == [
            "Before the lights go out."
        ]
    engine.dispose()


def test_a_worker_that_dies_is_replaced_and_the_log_says_so(sqlite_url, tmp_path):
    database_url = sqlite_url
    log_path = tmp_path / "server.log"
    with served({"BYLINE_DATABASE_URL": database_url}, workers=2, log_path=log_path) as (server, base):
        workers = workers_of(server.pid)
        # The server answers once one worker listens: on a busy machine the other may still be starting,
        # and killing the only one listening would leave nothing to answer until the replacement is up.
        assert wait_until_each_listens(workers, int(base.rsplit(":", 1)[1]))
        os.kill(int(workers[0]), signal.SIGKILL)
        # The supervisor hears of the death from the worker's exit status, or at the latest from the
        # health check it leaves unanswered for HEALTHCHECK_SECONDS: a deadline of that length raced it.
        deadline = time.monotonic() + HEALTHCHECK_SECONDS + 30
        while f"worker {workers[0]} died" not in log_path.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        replaced = workers_of(server.pid)
        assert workers[0] not in replaced and workers[1] in replaced and len(replaced) == 2
        assert all(loopback.get(f"{base}/api/v1").status_code == 200 for _ in range(10))
        # The replacement takes its share of new connections: no socket is left to a worker that is gone.
        assert all(_connections_spread_over(replaced, base))


def _connections_spread_over(workers: list[str], base: str) -> list[int]:
    """How many of 16 kept-open connections each worker holds, once each listens on a socket of its
    own (the kernel then spreads connections over the sockets; one shared socket goes to whichever
    worker wakes first)."""
    port = int(base.rsplit(":", 1)[1])
    assert wait_until_each_listens(workers, port), "the workers do not each listen on a socket of their own"
    clients = [loopback.client(base_url=base) for _ in range(16)]
    try:
        assert all(client.get("/healthz").status_code == 200 for client in clients)
        return [len(sockets_of(worker, port, state=ESTABLISHED)) for worker in workers]
    finally:
        for client in clients:
            client.close()


def test_each_worker_listens_on_its_own_socket_and_takes_a_share_of_connections(sqlite_url):
    """One socket shared by all went to whichever worker woke first: under a burst of new
    connections one worker took them all and two workers served like one."""
    database_url = sqlite_url
    with served({"BYLINE_DATABASE_URL": database_url}, workers=2) as (server, base):
        held = _connections_spread_over(workers_of(server.pid), base)
        assert sum(held) == 16 and all(held), held


def test_workers_end_with_a_server_killed_by_sigkill_and_leave_the_port_free(sqlite_url):
    """uvicorn's workers outlived a supervisor killed with `kill -9`, still listening: a restarted
    server bound beside them, and they went on answering with the old code."""
    database_url = sqlite_url
    with served({"BYLINE_DATABASE_URL": database_url}, workers=2) as (server, base):
        workers = workers_of(server.pid)
        server.kill()
        server.wait()
        try:
            deadline = time.monotonic() + 60
            while any(_running(worker) for worker in workers):
                assert time.monotonic() < deadline, "the workers outlived their supervisor"
                time.sleep(0.1)
        finally:
            for worker in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(worker), signal.SIGKILL)
        # Nothing listens on the port any more: a new server binds it alone.
        with socket.socket() as claim:
            claim.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            claim.bind(("127.0.0.1", int(base.rsplit(":", 1)[1])))


def _running(pid: str) -> bool:
    """Whether a process is alive (not a zombie waiting for a parent that is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
