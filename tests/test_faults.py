"""Real processes, real signals: what the API acknowledged is there after it was killed."""

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
from app.db import build_engine
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import ESTABLISHED, served, sockets_of, wait_until_each_listens
from tests.test_cli import LEAD, byline

POSTGRES_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "postgres.sh"

WRITERS = 4
# How long writes run before the kill; `make soak` raises it.
LOAD_SECONDS = float(os.environ.get("BYLINE_SOAK_SECONDS", "2"))


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
        with httpx.Client(base_url=base, timeout=10, headers=editor) as client:
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
        with httpx.Client(base_url=base, timeout=10, headers=editor) as client:
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
        with httpx.Client(base_url=base, timeout=10) as client:
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


def test_a_postgres_outage_answers_503_while_it_lasts_and_the_api_recovers_by_itself():
    with own_postgres() as (url, folder):
        byline("db", "upgrade", database_url=url)
        byline("demo", "load", database_url=url)
        comment = {"author_name": "Reader", "author_email": "reader@example.com", "content": "Still there?"}
        with (
            served({"BYLINE_DATABASE_URL": url, "BYLINE_SECRET_KEY": TEST_SECRET}, workers=2) as (_, base),
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            assert client.get(f"/api/v1/articles/{LEAD}").status_code == 200
            _postgres("halt", folder)
            during: list[httpx.Response] = []
            slowest = 0.0
            for _ in range(5):
                for request in (
                    client.build_request("GET", f"/api/v1/articles/{LEAD}"),
                    client.build_request("GET", "/api/v1/articles"),
                    client.build_request("POST", f"/api/v1/articles/{LEAD}/comments", json=comment),
                    client.build_request("GET", "/readyz"),
                ):
                    asked = time.monotonic()
                    during.append(client.send(request))
                    slowest = max(slowest, time.monotonic() - asked)
            assert {answer.status_code for answer in during} == {503}
            assert all(answer.headers["content-type"] == "application/problem+json" for answer in during)
            assert all(answer.headers.get("Retry-After") for answer in during if answer.url.path != "/readyz")
            assert slowest < 6

            _postgres("resume", folder)
            resumed = time.monotonic()
            while client.get(f"/api/v1/articles/{LEAD}").status_code != 200:
                assert time.monotonic() - resumed < 30, "the API did not recover on its own"
                time.sleep(0.1)
            recovery = time.monotonic() - resumed
            assert client.post(f"/api/v1/articles/{LEAD}/comments", json=comment).status_code == 202
            assert client.get("/readyz").status_code == 200
        print(
            f"outage: {len(during)} answers, all 503, slowest {slowest:.2f} s; recovered {recovery:.2f} s after restart"
        )


def test_sigterm_lets_the_request_in_flight_finish_then_exits_cleanly(tmp_path):
    database_url = f"sqlite:///{tmp_path}/byline.db"
    byline("db", "upgrade", database_url=database_url)
    byline("demo", "load", database_url=database_url)
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


def test_a_worker_that_dies_is_replaced_and_the_log_says_so(tmp_path):
    database_url = f"sqlite:///{tmp_path}/byline.db"
    byline("db", "upgrade", database_url=database_url)
    log_path = tmp_path / "server.log"
    with served({"BYLINE_DATABASE_URL": database_url}, workers=2, log_path=log_path) as (server, base):
        workers = _workers_of(server.pid)
        os.kill(int(workers[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while f"worker {workers[0]} died" not in log_path.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        replaced = _workers_of(server.pid)
        assert workers[0] not in replaced and workers[1] in replaced and len(replaced) == 2
        assert all(httpx.get(f"{base}/api/v1").status_code == 200 for _ in range(10))
        # The replacement takes its share of new connections: no socket is left to a worker that is gone.
        assert all(_connections_spread_over(replaced, base))


def _connections_spread_over(workers: list[str], base: str) -> list[int]:
    """How many of 16 kept-open connections each worker holds, once each listens on a socket of its
    own (the kernel then spreads connections over the sockets; one shared socket goes to whichever
    worker wakes first)."""
    port = int(base.rsplit(":", 1)[1])
    assert wait_until_each_listens(workers, port), "the workers do not each listen on a socket of their own"
    clients = [httpx.Client(base_url=base) for _ in range(16)]
    try:
        assert all(client.get("/healthz").status_code == 200 for client in clients)
        return [len(sockets_of(worker, port, state=ESTABLISHED)) for worker in workers]
    finally:
        for client in clients:
            client.close()


def test_each_worker_listens_on_its_own_socket_and_takes_a_share_of_connections(tmp_path):
    """One socket shared by all went to whichever worker woke first: under a burst of new
    connections one worker took them all and two workers served like one."""
    database_url = f"sqlite:///{tmp_path}/byline.db"
    byline("db", "upgrade", database_url=database_url)
    with served({"BYLINE_DATABASE_URL": database_url}, workers=2) as (server, base):
        held = _connections_spread_over(_workers_of(server.pid), base)
        assert sum(held) == 16 and all(held), held


def _workers_of(pid: int) -> list[str]:
    """The worker processes of a server (its other child is multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [child for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]
