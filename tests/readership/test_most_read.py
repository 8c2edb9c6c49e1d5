"""Most read through HTTP: beacons counted in memory and written in batches (at shutdown at the
latest), bots and repeats ignored, counts from several app instances adding up, nothing personal stored."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, inspect
from sqlmodel import func, select

from app.main import create_app
from app.readership.counter import ViewCounter
from app.readership.errors import TooManyViews
from app.readership.models import ArticleViews
from tests.app_client import AppClient
from tests.conftest import PROXY_ADDRESS
from tests.factories.newsroom import make_article, make_section

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0"


def beacon(client, slug, address="198.51.100.1", agent=BROWSER):
    return client.post(f"/api/v1/articles/{slug}/views", headers={"X-Forwarded-For": address, "User-Agent": agent})


def app_client(settings, clock):
    return AppClient(create_app(settings, clock=clock), client=(PROXY_ADDRESS, 50000))


def stored_views(session, article) -> int:
    views = session.exec(select(func.sum(ArticleViews.views)).where(ArticleViews.article_id == article.id)).one()
    session.rollback()  # its write transaction would hold the app's flush back
    return views or 0


def test_beacons_count_once_per_reader_not_for_bots_and_are_written_at_shutdown(settings, clock, session):
    article, draft = make_article(session), make_article(session, status="draft")
    with app_client(settings, clock) as client:
        answer = beacon(client, article.slug)
        assert (answer.status_code, answer.content, answer.headers.get("set-cookie")) == (202, b"", None)
        beacon(client, article.slug)  # the same reader again
        beacon(client, article.slug, address="198.51.100.2")
        beacon(client, article.slug, address="198.51.100.3", agent="Googlebot/2.1 (+http://www.google.com/bot.html)")
        beacon(client, article.slug, address="198.51.100.4", agent="curl/8.5.0")
        beacon(client, article.slug, address="198.51.100.5", agent="")
        assert beacon(client, draft.slug).status_code == 404
        assert beacon(client, "no-such-story").status_code == 404
        # Nothing is written per beacon.
        assert stored_views(session, article) == 0
    assert stored_views(session, article) == 2


def test_a_beacon_for_an_article_looked_up_once_runs_no_sql(settings, clock, session):
    settings.most_read_flush_seconds = 300  # no flush while statements are counted
    article = make_article(session)
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    with app_client(settings, clock) as client:
        beacon(client, article.slug)
        event.listen(Engine, "before_cursor_execute", record)
        try:
            answers = {beacon(client, article.slug, address=f"203.0.113.{n}").status_code for n in range(5)}
        finally:
            event.remove(Engine, "before_cursor_execute", record)
    assert answers == {202} and statements == []
    assert stored_views(session, article) == 6


def test_counts_from_two_app_instances_add_up(settings, clock, session):
    article = make_article(session)
    first, second = app_client(settings, clock), app_client(settings, clock)
    with first, second:
        for n in range(3):
            beacon(first, article.slug, address=f"203.0.113.{n}")
            beacon(second, article.slug, address=f"203.0.113.{n + 10}")
    with first, second:
        beacon(second, article.slug, address="203.0.113.99")
    assert stored_views(session, article) == 7


def test_most_read_orders_visible_articles_without_numbers(settings, clock, session):
    world = make_section(session, name="World")
    popular = make_article(session, section=world.slug)
    quiet = make_article(session)
    soon = make_article(session, published_at=clock.now + timedelta(minutes=5))
    with app_client(settings, clock) as client:
        for n in range(3):
            beacon(client, popular.slug, address=f"192.0.2.{n + 20}")
        beacon(client, quiet.slug)
        assert beacon(client, soon.slug).status_code == 404
    with app_client(settings, clock) as client:
        answer = client.get("/api/v1/most-read", params={"window": "1h"})
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=60"
        assert [(e["article"]["slug"], e["views"]) for e in answer.json()["data"]] == [
            (popular.slug, None),
            (quiet.slug, None),
        ]
        # Kept by the response cache for its max-age, as views do not purge it.
        again = client.get("/api/v1/most-read", params={"window": "1h"})
        assert (again.headers["X-Cache"], again.headers["Cache-Control"]) == ("HIT", "public, max-age=60")
        in_world = client.get("/api/v1/most-read", params={"section": world.slug}).json()["data"]
        assert [e["article"]["slug"] for e in in_world] == [popular.slug]
        section = client.get(f"/api/v1/sections/{world.slug}", params={"include": "most_read"}).json()
        assert [e["article"]["slug"] for e in section["included"]["most_read"]["data"]] == [popular.slug]
        assert client.get("/api/v1/most-read", params={"window": "1y"}).status_code == 422
        assert client.get("/api/v1/most-read", params={"section": "nowhere"}).status_code == 404
    settings.most_read_public_counts = True
    with app_client(settings, clock) as client:
        counted = client.get("/api/v1/most-read", params={"window": "1h"}).json()["data"]
        assert [e["views"] for e in counted] == [3, 1]


def test_too_many_beacons_from_one_address_are_refused(settings, clock, session):
    settings.most_read_views_per_minute = 2
    articles = [make_article(session) for _ in range(3)]
    with app_client(settings, clock) as client:
        assert [beacon(client, a.slug).status_code for a in articles] == [202, 202, 429]
        assert beacon(client, articles[0].slug, address="198.51.100.9").status_code == 202


def test_a_reader_counts_again_once_the_repeat_window_ends_and_the_rate_limit_starts_over(settings):
    settings.most_read_views_per_minute = 2
    seconds = [0.0]
    counter = ViewCounter(settings, monotonic=lambda: seconds[0])
    moment = datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert [counter.view(1, "198.51.100.1", moment), counter.view(1, "198.51.100.1", moment)] == [True, False]
    seconds[0] = 61.0
    # Other readers come and go meanwhile: the digests whose time is up are let go of as they do.
    assert all(counter.view(2, f"203.0.113.{n}", moment) for n in range(50))
    assert counter.view(3, "198.51.100.1", moment) and counter.view(4, "198.51.100.1", moment)
    with pytest.raises(TooManyViews):
        counter.view(5, "198.51.100.1", moment)
    seconds[0] = settings.most_read_repeat_seconds + 62.0
    assert counter.view(1, "198.51.100.1", moment), "counted again after the repeat window"
    assert counter.take()[(1, moment)] == 2


def test_the_views_table_holds_counts_only(engine):
    columns = {column["name"] for column in inspect(engine).get_columns("article_views")}
    assert columns == {"article_id", "minute", "views"}
