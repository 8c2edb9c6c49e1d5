"""Real servers: beacons are held in each worker's memory and SIGTERM writes them all; the counts of
servers on one PostgreSQL add up, and each answers the same most read."""

import signal
from contextlib import ExitStack

import httpx
import pytest
from sqlmodel import Session, func, select

from app.db.engines import build_engine
from app.readership.models import ArticleViews
from tests import loopback
from tests.conftest import BACKENDS, TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import served

BEACONS = 30


def _beacon(client: httpx.Client, base: str, slug: str, reader: int) -> int:
    headers = {"X-Forwarded-For": f"198.51.100.{reader}", "User-Agent": "Mozilla/5.0 Firefox/133.0"}
    return client.post(f"{base}/api/v1/articles/{slug}/views", headers=headers).status_code


def test_no_view_is_lost_when_the_server_is_stopped(sqlite_url):
    engine = build_engine(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        slug = make_article(session).slug
    env = {
        "BYLINE_DATABASE_URL": sqlite_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
        # Nothing is written before the signal.
        "BYLINE_MOST_READ_FLUSH_SECONDS": "300",
    }
    with served(env, workers=2) as (server, base):
        # A new connection for each beacon, so both workers get some.
        with loopback.client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            statuses = {_beacon(client, base, slug, n) for n in range(BEACONS)}
        assert statuses == {202}
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(ArticleViews)).one() == 0
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with Session(engine) as session:
        assert session.exec(select(func.sum(ArticleViews.views))).one() == BEACONS
    engine.dispose()


# Servers on several machines share only PostgreSQL.
@pytest.mark.parametrize("database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True)
def test_the_counts_of_two_servers_on_one_database_add_up_and_both_answer_the_same_most_read(database_url, session):
    popular, quiet = make_article(session).slug, make_article(session).slug
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
        "BYLINE_MOST_READ_FLUSH_SECONDS": "300",
        "BYLINE_MOST_READ_PUBLIC_COUNTS": "true",
    }
    with ExitStack() as servers:
        first, second = (servers.enter_context(served(env)) for _ in range(2))
        with loopback.client(timeout=10) as client:
            for (_, base), readers in ((first, range(6)), (second, range(6, 12))):
                assert {_beacon(client, base, popular, n) for n in readers} == {202}
            assert _beacon(client, second[1], quiet, 1) == 202
            for server, _ in (first, second):
                server.send_signal(signal.SIGTERM)
                # A single worker ends by the signal, as whatever supervises it expects.
                assert server.wait(timeout=30) == -signal.SIGTERM
    with ExitStack() as servers:
        bases = [servers.enter_context(served(env))[1] for _ in range(2)]
        answers = [loopback.get(f"{base}/api/v1/most-read", params={"window": "1h"}).json()["data"] for base in bases]
    assert answers[0] == answers[1]
    assert [(entry["article"]["slug"], entry["views"]) for entry in answers[0]] == [(popular, 12), (quiet, 1)]
