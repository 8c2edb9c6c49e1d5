import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db.engines import build_engine
from app.demo.loader import load_demo
from app.main import create_app
from tests import loopback
from tests.app_client import AppClient
from tests.server import BYLINE, free_port, run_in_process, running_server

# The database_url fixture's databases are migrated already; a test of `db upgrade` runs it itself.
# What the HTTP layer, or a command that reads no data, does is the same on every database.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"


def byline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BYLINE, *args], env=os.environ | env, capture_output=True, text=True, timeout=120, check=True
    )


@sqlite_only
def test_openapi_command_prints_the_committed_document(database_url):
    printed = run_in_process("openapi", env={"BYLINE_DATABASE_URL": database_url}).stdout
    committed = (Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text()
    assert json.loads(printed) == json.loads(committed)


def test_migrate_load_demo_and_serve_like_make_run(database_url, tmp_path):
    # Every command with the same settings, as `make run` gives them: the server shows the demo's photographs.
    port = free_port()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_PORT": str(port), "BYLINE_MEDIA_DIR": str(tmp_path / "media")}
    byline("db", "upgrade", env=env)
    assert "14 new" in byline("demo", "load", env=env).stderr
    assert "0 new" in run_in_process("demo", "load", env=env).stderr
    with running_server(env, port=port) as base:
        response = loopback.get(f"{base}/api/v1/articles/{LEAD}", timeout=5)
        assert response.status_code == 200
        assert response.json()["authors"][0]["name"] == "Alok Verma"
        picture = loopback.get(response.json()["featured_image"]["url"], timeout=5)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        listing = loopback.get(f"{base}/api/v1/articles?limit=5", timeout=5).json()
        assert listing["meta"]["total"] == 14 and len(listing["data"]) == 5


def test_serve_says_where_to_go_and_its_links_follow_its_port(database_url, settings, tmp_path):
    load_demo(settings)
    log = tmp_path / "server.log"
    # No public URL: every absolute link must name the port actually served.
    with running_server({"BYLINE_DATABASE_URL": database_url, "BYLINE_PUBLIC_URL": ""}, log_path=log) as base:
        lead = loopback.get(f"{base}/api/v1/articles/{LEAD}", timeout=5).json()
        feed = loopback.get(f"{base}/feeds/feed.json", timeout=5).json()
    assert lead["structured_data"]["url"] == f"{base}/article.html?slug={LEAD}"
    assert feed["home_page_url"].startswith(base) and feed["feed_url"].startswith(base)
    printed = log.read_text().splitlines()
    assert f"Byline serves its site at {base}/" in printed
    assert f"API documentation: {base}/docs" in printed
    assert f"An API key to write with: {BYLINE} keys create --name editor --scope content:write" in printed


def test_keys_are_created_listed_and_revoked_from_the_command_line(database_url):
    env = {"BYLINE_DATABASE_URL": database_url}
    created = run_in_process(
        "keys", "create", "--name", "wire-feed", "--scope", "content:write", "--scope", "content:embargo", env=env
    )
    plain = created.stdout.strip()
    assert plain.startswith("byl_") and "\n" not in plain, "scripts capture the key alone from standard output"
    listing = run_in_process("keys", "list", env=env).stdout
    assert "wire-feed" in listing and "content:embargo" in listing and plain not in listing
    run_in_process("keys", "revoke", "wire-feed", env=env)
    assert "wire-feed" in run_in_process("keys", "list", env=env).stdout
    duplicate = run_in_process("keys", "create", "--name", "wire-feed", "--scope", "admin", env=env, check=False)
    assert duplicate.returncode == 1


def test_people_are_created_listed_and_deactivated_from_the_command_line(database_url):
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_PASSWORD_TIME_COST": "1",
        "BYLINE_PASSWORD_MEMORY_KIB": "8",
        "BYLINE_PASSWORD_PARALLELISM": "1",
    }
    create = ("users", "create", "Ana@Example.org", "--name", "Ana Ruiz", "--role", "editor", "--password-stdin")
    run_in_process(*create, env=env, input="a long enough passphrase\n")
    assert run_in_process(*create, env=env, input="a long enough passphrase\n", check=False).returncode == 1
    unknown = run_in_process(
        *create[:-1], "--section", "nowhere", "--password-stdin", env=env, input="long passphrase\n", check=False
    )
    assert unknown.returncode == 1
    listing = run_in_process("users", "list", env=env).stdout
    assert "ana@example.org" in listing and "Ana Ruiz" in listing and "passphrase" not in listing
    run_in_process(
        "keys", "create", "--name", "ana-laptop", "--scope", "content:write", "--owner", "ana@example.org", env=env
    )
    assert "ana@example.org" in run_in_process("keys", "list", env=env).stdout
    nobody = ("keys", "create", "--name", "x", "--scope", "admin", "--owner", "nobody@example.org")
    assert run_in_process(*nobody, env=env, check=False).returncode == 1
    run_in_process("users", "deactivate", "ana@example.org", env=env)
    assert "│ no " in run_in_process("users", "list", env=env).stdout
    engine = build_engine(database_url)
    with engine.connect() as connection:
        audit = connection.execute(text("SELECT actor_kind, actor_name, action FROM audit_entry ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in audit] == [
        ("system", "byline users", "user.create"),
        ("system", "byline keys", "key.create"),
        ("system", "byline users", "user.deactivate"),
    ]


def test_content_loaded_from_the_command_line_purges_the_answers_it_changes(database_url, tmp_path):
    run_in_process("demo", "load", env={"BYLINE_DATABASE_URL": database_url, "BYLINE_MEDIA_DIR": str(tmp_path)})
    engine = build_engine(database_url)
    with engine.connect() as connection:
        purges = connection.execute(text("SELECT payload FROM outbox_event WHERE topic = 'cache.purge'")).all()
    engine.dispose()
    payloads = [json.loads(payload) if isinstance(payload, str) else payload for (payload,) in purges]
    keys = {key for payload in payloads for key in payload["keys"]}
    assert {"articles", f"article:{LEAD}"} <= keys


def test_search_reindex_rebuilds_entries_lost_outside_byline(database_url, settings):
    load_demo(settings)
    engine = build_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM article_search"))
        connection.execute(text("DELETE FROM article_term"))

    reindexed = run_in_process("search", "reindex", env={"BYLINE_DATABASE_URL": database_url})
    assert "Reindexed 14 article(s)" in reindexed.stderr

    with engine.connect() as connection:
        miscounted = connection.execute(
            text(
                "SELECT count(*) FROM term_document_count WHERE documents <> "
                "(SELECT count(*) FROM article_term WHERE article_term.term = term_document_count.term)"
            )
        ).scalar()
        assert miscounted == 0 and connection.execute(text("SELECT count(*) FROM term_document_count")).scalar() > 0
    engine.dispose()

    # An app started after the rebuild, as a server restarted then would be.
    with AppClient(create_app(settings)) as client:
        found = client.get("/api/v1/articles", params={"q": "moscow"}).json()["data"]
        assert LEAD in [item["slug"] for item in found]
        assert client.get(f"/api/v1/articles/{LEAD}/related").json()["data"]


@sqlite_only
def test_serving_on_every_interface_with_the_development_secret_is_refused(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")} | {"BYLINE_DATABASE_URL": database_url}
    refused = subprocess.run(
        [BYLINE, "serve", "--host", "0.0.0.0", "--port", "8"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "BYLINE_SECRET_KEY" in refused.stderr


def test_the_server_logs_each_request_as_json_without_its_query(database_url, tmp_path):
    log = tmp_path / "server.log"
    with running_server({"BYLINE_DATABASE_URL": database_url, "BYLINE_LOG_LEVEL": "info"}, log_path=log) as base:
        answer = loopback.get(
            f"{base}/api/v1/articles",
            params={"q": "reader@example.com"},
            headers={"X-Request-ID": "trace-42"},
            timeout=5,
        )
        assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "trace-42"
    written = log.read_text()
    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    [request] = [line for line in lines if line.get("request_id") == "trace-42"]
    assert (request["method"], request["route"], request["status"]) == ("GET", "/api/v1/articles", 200)
    assert "reader@example.com" not in written


@sqlite_only
def test_a_websocket_upgrade_is_answered_as_the_plain_request_it_also_is(database_url):
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    with running_server({"BYLINE_DATABASE_URL": database_url}) as base:
        answer = loopback.get(f"{base}/api/v1/articles", headers=upgrade, timeout=5)
    assert answer.status_code == 200 and answer.json()["meta"]["total"] == 0


@sqlite_only
def test_a_body_trickled_too_slowly_is_cut_off_with_408(database_url):
    with running_server({"BYLINE_DATABASE_URL": database_url, "BYLINE_BODY_TIMEOUT_SECONDS": "1"}) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(b"POST /api/v1/authors HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            started = time.monotonic()
            answer = b""
            while chunk := slow.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5


@sqlite_only
def test_a_body_trickled_steadily_is_cut_off_at_its_deadline(database_url):
    settings = {"BYLINE_BODY_TIMEOUT_SECONDS": "1", "BYLINE_BODY_DEADLINE_SECONDS": "2"}
    with running_server({"BYLINE_DATABASE_URL": database_url} | settings) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(b"POST /api/v1/authors HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            started = time.monotonic()
            # A byte every half second never waits out the per-part timeout.
            slow.settimeout(0.5)
            answer = b""
            while time.monotonic() - started < 8:
                try:
                    slow.sendall(b" ")
                    chunk = slow.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408") and b"Connection: close" in answer.replace(
            b"connection", b"Connection"
        )
        assert time.monotonic() - started < 4


def _read_until_closed(connection: socket.socket) -> bytes:
    answer = b""
    while chunk := connection.recv(4096):
        answer += chunk
    return answer


@sqlite_only
def test_connections_that_never_finish_their_headers_are_closed(database_url):
    with running_server({"BYLINE_DATABASE_URL": database_url, "BYLINE_HEADER_TIMEOUT_SECONDS": "1"}) as base:
        host, port = base.removeprefix("http://").split(":")
        address = (host, int(port))
        with (
            socket.create_connection(address, timeout=10) as idle,
            socket.create_connection(address, timeout=10) as trickling,
            socket.create_connection(address, timeout=10) as after_an_answer,
        ):
            started = time.monotonic()
            trickling.sendall(b"GET /api/v1/articles HTTP/1.1\r\nHost: x\r\n")
            after_an_answer.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answered = b""
            while not answered.endswith(b'"ok"}'):
                answered += after_an_answer.recv(4096)
            assert answered.startswith(b"HTTP/1.1 200")
            after_an_answer.sendall(b"GET /healthz HTTP/1.1\r\n")
            for connection in (idle, trickling, after_an_answer):
                assert _read_until_closed(connection) == b""
            assert time.monotonic() - started < 5
        # A request that arrives in time is unaffected.
        assert loopback.get(f"{base}/healthz", timeout=5).status_code == 200


@sqlite_only
def test_what_the_server_answers_by_itself_is_a_problem_document_too(database_url):
    with running_server({"BYLINE_DATABASE_URL": database_url, "BYLINE_MAX_CONNECTIONS": "10"}) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as client:
            client.sendall(b"GET /api/v1/articles HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n")
            malformed = _read_until_closed(client)
        idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(10)]
        try:
            with socket.create_connection((host, int(port)), timeout=10) as client:
                client.sendall(b"GET /api/v1/articles HTTP/1.1\r\nHost: x\r\n\r\n")
                over_the_limit = _read_until_closed(client)
        finally:
            for connection in idle:
                connection.close()
    for answer, status in ((malformed, 400), (over_the_limit, 503)):
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(f"HTTP/1.1 {status}".encode()) and b"content-type: application/problem+json" in head
        assert json.loads(body)["status"] == status
    assert b"retry-after: 1" in over_the_limit.partition(b"\r\n\r\n")[0]


def test_serve_exits_non_zero_when_its_workers_cannot_start(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/missing-folder/byline.db"
    env = os.environ | {"BYLINE_DATABASE_URL": unreachable}
    for workers in ("1", "2"):
        stopped = subprocess.run(
            [BYLINE, "serve", "--port", str(free_port()), "--workers", workers],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert stopped.returncode == 3, stopped.stderr[-2000:]
        assert "Application startup failed" in stopped.stderr
        assert _tracebacks(stopped.stderr) == [], stopped.stderr[-2000:]


def _tracebacks(output: str) -> list[str]:
    """Python's tracebacks printed as such: the log's own JSON lines carry the workers' inside them."""
    return [line for line in output.splitlines() if line.startswith("Traceback")]


@sqlite_only
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_leaves_no_temporary_folder_behind(database_url, workers):
    # Short: the fork server's socket is named under it, and a socket's path has at most 107 bytes.
    scratch = Path(tempfile.mkdtemp())
    try:
        log = scratch.with_suffix(".log")
        env = {"BYLINE_DATABASE_URL": database_url, "TMPDIR": str(scratch)}
        # As the script runs it: with several workers, a fork server loads the app for them.
        with running_server(env, workers=workers, log_path=log, as_script=True) as base:
            assert loopback.get(f"{base}/healthz", timeout=10).status_code == 200
            assert list(scratch.iterdir())
        assert list(scratch.iterdir()) == []
        # Nor a traceback from removing it twice (multiprocessing removes its own folder at exit).
        assert _tracebacks(log.read_text()) == []
    finally:
        shutil.rmtree(scratch)
        scratch.with_suffix(".log").unlink(missing_ok=True)


# As the `byline` script runs: the command group, then the command it was asked for.
SERVE_IMPORTS = """
import sys
from app.cli import app
# The path `byline serve` takes, the root command's callback included, up to where uvicorn would start.
try:
    app(["serve", "--help"], standalone_mode=False)
except SystemExit:
    pass
print(" ".join(sys.modules), file=sys.stderr)
"""


def test_the_serving_supervisor_loads_no_domain_tables_or_web_framework():
    # Every worker imports the app itself; the supervisor importing it too only delays their start.
    loaded = subprocess.run(
        [sys.executable, "-c", SERVE_IMPORTS], capture_output=True, text=True, check=True
    ).stderr.split()
    heavy = ("sqlmodel", "sqlalchemy", "fastapi", "app.main", "app.models", "app.articles", "app.auth.models")
    assert [module for module in loaded if module.startswith(heavy)] == []


def test_help_lists_every_command_and_each_group_keeps_its_usage():
    listed = subprocess.run([BYLINE, "--help"], capture_output=True, text=True, check=True).stdout
    commands = ("serve", "ingest", "export", "keys", "webhooks", "worker", "backup", "restore", "openapi")
    for command in (*commands, "db", "search", "demo"):
        assert f"│ {command} " in listed
    for command in ("keys", "webhooks", "ingest", "export"):
        usage = run_in_process(command, "--help", env={}).stdout
        assert f"Usage: byline {command} " in usage and "--install-completion" not in usage
