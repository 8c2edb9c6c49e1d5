"""The response cache across real worker processes and servers: a write is never followed by a stale read."""

import gzip
import http.client
import json
import time

import httpx
import pytest

from tests import loopback
from tests.caching.test_http_cache import LONG_BODY
from tests.conftest import BACKENDS, TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import running_server


def _read_until_cached(client: httpx.Client, path: str, times: int) -> None:
    """Warm every worker: read until the cache has answered `times` times."""
    hits, deadline = 0, time.monotonic() + 20
    while hits < times:
        assert time.monotonic() < deadline
        hits += client.get(path).headers["X-Cache"] == "HIT"


def test_a_write_through_one_worker_is_seen_by_the_next_read_from_any_worker(database_url, session, api_key):
    article = make_article(session)
    path, editor = f"/api/v1/articles/{article.slug}", api_key("content:write")
    session.rollback()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_SECRET_KEY": TEST_SECRET}
    with running_server(env, workers=2) as base, loopback.client(base_url=base, timeout=10) as client:
        for round_ in range(5):
            _read_until_cached(client, path, times=10)
            title = f"Harbour update {round_}"
            assert client.patch(path, json={"title": title}, headers=editor).status_code == 200
            seen = [client.get(path).json()["title"] for _ in range(20)]
            assert seen == [title] * 20


# Servers on several machines share only PostgreSQL.
@pytest.mark.parametrize("database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True)
def test_a_write_on_one_server_reaches_another_servers_cache_within_100_ms(database_url, session, api_key):
    article = make_article(session)
    path, editor = f"/api/v1/articles/{article.slug}", api_key("content:write")
    session.rollback()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_SECRET_KEY": TEST_SECRET}
    delays = []
    with (
        running_server(env) as writer_base,
        running_server(env) as reader_base,
        loopback.client(base_url=writer_base, timeout=10) as writer,
        loopback.client(base_url=reader_base, timeout=10) as reader,
    ):
        for round_ in range(5):
            _read_until_cached(reader, path, times=3)
            title = f"Harbour update {round_}"
            assert writer.patch(path, json={"title": title}, headers=editor).status_code == 200
            written = time.monotonic()
            while reader.get(path).json()["title"] != title:
                assert time.monotonic() - written < 0.1, "the other server kept serving the old version"
            delays.append(time.monotonic() - written)
    print(f"other server saw each write after {max(delays) * 1000:.1f} ms at most")


def test_head_304_and_full_answers_follow_each_other_on_one_connection(database_url, session):
    article = make_article(session, body=LONG_BODY)
    path = f"/api/v1/articles/{article.slug}"
    session.rollback()
    with running_server({"BYLINE_DATABASE_URL": database_url}) as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        for _ in range(3):  # built, then cached
            connection.request("HEAD", path)
            head = connection.getresponse()
            assert (head.status, head.read()) == (200, b"")
            connection.request("GET", path, headers={"If-None-Match": head.getheader("ETag")})
            unchanged = connection.getresponse()
            assert (unchanged.status, unchanged.read()) == (304, b"")
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            full = connection.getresponse()
            assert full.status == 200 and full.getheader("Content-Encoding") == "gzip"
            assert json.loads(gzip.decompress(full.read()))["slug"] == article.slug
            connection.request("POST", f"{path}/comments", body=b"{}", headers={"Expect": "100-continue"})
            refused = connection.getresponse()
            assert refused.status == 422 and json.loads(refused.read())["status"] == 422
        connection.close()


def test_a_hit_on_a_real_connection_has_the_head_and_body_of_the_answer_it_repeats(database_url, session):
    article = make_article(session, body=LONG_BODY)
    path = f"/api/v1/articles/{article.slug}"
    session.rollback()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_SECRET_KEY": TEST_SECRET}
    per_request = {"x-cache", "x-request-id", "date"}

    def answer(base: str, **headers: str) -> tuple[str, set[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            sent = {(name.lower(), value) for name, value in response.getheaders()}
        finally:
            connection.close()
        return response.headers["X-Cache"], {(name, value) for name, value in sent if name not in per_request}, body

    with running_server(env, workers=1) as base:
        for coding in ("identity", "gzip"):
            built = answer(base, **{"Accept-Encoding": coding, "Cache-Control": "no-cache"})
            hit = answer(base, **{"Accept-Encoding": coding})
            assert (built[0], hit[0]) == ("MISS", "HIT"), coding
            assert hit[1:] == built[1:], coding
        assert gzip.decompress(hit[2]) == answer(base, **{"Accept-Encoding": "identity"})[2]
