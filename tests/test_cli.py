import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BYLINE = str(Path(sys.executable).with_name("byline"))
LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"


def byline(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = os.environ | {"BYLINE_DATABASE_URL": database_url}
    return subprocess.run([BYLINE, *args], env=env, capture_output=True, text=True, timeout=120, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openapi_command_prints_the_committed_document(database_url):
    printed = byline("openapi", database_url=database_url).stdout
    committed = (Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text()
    assert json.loads(printed) == json.loads(committed)


def test_migrate_load_demo_and_serve_like_make_run(database_url):
    byline("db", "upgrade", database_url=database_url)
    assert "14 new" in byline("demo", "load", database_url=database_url).stderr
    assert "0 new" in byline("demo", "load", database_url=database_url).stderr
    port = free_port()
    env = os.environ | {"BYLINE_DATABASE_URL": database_url}
    server = subprocess.Popen(
        [BYLINE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/articles/{LEAD}", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["authors"][0]["name"] == "Alok Verma"
        listing = httpx.get(f"http://127.0.0.1:{port}/api/v1/articles?limit=5").json()
        assert listing["meta"]["total"] == 14 and len(listing["data"]) == 5
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_keys_are_created_listed_and_revoked_from_the_command_line(database_url):
    created = byline("keys", "create", "--name", "wire-feed", "--scope", "content:write", "--scope", "content:embargo", database_url=database_url)
    plain = created.stdout.strip().splitlines()[-1]
    assert plain.startswith("byl_")
    listing = byline("keys", "list", database_url=database_url).stdout
    assert "wire-feed" in listing and "content:embargo" in listing and plain not in listing
    byline("keys", "revoke", "wire-feed", database_url=database_url)
    assert "wire-feed" in byline("keys", "list", database_url=database_url).stdout
    duplicate = subprocess.run(
        [BYLINE, "keys", "create", "--name", "wire-feed", "--scope", "admin"],
        env=os.environ | {"BYLINE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert duplicate.returncode == 1
