"""`byline serve` with two workers: beacons are held in each worker's memory, and SIGTERM writes them all."""

import signal

import httpx
from sqlmodel import Session, func, select

from app.db.engines import build_engine
from app.readership.models import ArticleViews
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import served

BEACONS = 30


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
        with httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            statuses = {
                client.post(
                    f"{base}/api/v1/articles/{slug}/views",
                    headers={"X-Forwarded-For": f"198.51.100.{n}", "User-Agent": "Mozilla/5.0 Firefox/133.0"},
                ).status_code
                for n in range(BEACONS)
            }
        assert statuses == {202}
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(ArticleViews)).one() == 0
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with Session(engine) as session:
        assert session.exec(select(func.sum(ArticleViews.views))).one() == BEACONS
    engine.dispose()
