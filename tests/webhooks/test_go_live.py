"""Scheduled articles and embargoes: receivers hear of an article when readers can first see it,
once, whichever worker notices."""

from datetime import UTC, datetime, timedelta

import orjson
from sqlmodel import Session, select

from app.articles import editing
from app.articles.schemas import ArticleUpdate
from app.deliveries.worker import DeliveryWorker
from app.outbox.models import OutboxEvent
from tests.factories.newsroom import make_article
from tests.webhooks.conftest import drain


def _events(hook) -> list[tuple[str, str]]:
    return [(event["type"], event["data"]["title"]) for event in (orjson.loads(r.body) for r in hook.received)]


def test_a_scheduled_article_is_announced_at_its_time_and_not_before(session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)
    subscribe(hook.url, "article.published", "article.updated")
    article = make_article(session, status="draft", now=clock.now)
    at = clock.now + timedelta(hours=1)
    editing.publish_article(session, article, published_at=at, now=clock.now, actor="t")
    editing.update_article(session, article, ArticleUpdate(title="Ferry strike called off"), now=clock.now, actor="t")
    drain(worker)
    assert hook.received == []

    clock.now = at + timedelta(seconds=1)
    drain(worker)
    drain(worker)

    assert _events(hook) == [("article.published", "Ferry strike called off")]


def test_an_embargoed_article_is_announced_when_the_embargo_lifts(session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)
    subscribe(hook.url, "article.published")
    lifts = clock.now + timedelta(minutes=30)
    make_article(session, title="Results at noon", published_at=clock.now, embargo_until=lifts, now=clock.now)
    drain(worker)
    assert hook.received == []

    clock.now = lifts
    drain(worker)

    assert _events(hook) == [("article.published", "Results at noon")]


def test_an_article_taken_back_before_its_time_is_never_announced(session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)
    subscribe(hook.url, "article.published", "article.unpublished", "article.deleted")
    at = clock.now + timedelta(hours=1)
    withdrawn = make_article(session, title="Withdrawn", published_at=at, now=clock.now)
    moved = make_article(session, title="Moved earlier", published_at=at, now=clock.now)
    editing.unpublish_article(session, withdrawn, now=clock.now, actor="t")
    editing.publish_article(session, moved, published_at=at - timedelta(minutes=30), now=clock.now, actor="t")

    clock.now = at - timedelta(minutes=29)
    drain(worker)
    assert _events(hook) == [("article.published", "Moved earlier")]
    clock.now = at + timedelta(hours=1)
    drain(worker)
    assert _events(hook) == [("article.published", "Moved earlier")]


def test_two_workers_announce_a_go_live_once(engine, settings, session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)
    subscribe(hook.url, "article.published")
    make_article(session, title="Polls close", published_at=clock.now + timedelta(minutes=5), now=clock.now)
    other = DeliveryWorker(engine, settings, clock=clock)
    try:
        clock.now += timedelta(minutes=6)
        other.run_once()
        drain(worker)
        drain(other)
    finally:
        other.close()

    assert _events(hook) == [("article.published", "Polls close")]


def _purge_events(session) -> list[set[str]]:
    with Session(session.get_bind()) as reader:
        events = reader.exec(select(OutboxEvent).where(OutboxEvent.topic == "cache.purge").order_by(OutboxEvent.id))
        return [set(event.payload["keys"]) for event in events]


def test_a_go_live_purges_the_keys_of_what_went_live_for_cdns(session, worker, clock):
    clock.now = datetime.now(UTC)
    at = clock.now + timedelta(hours=1)
    article = make_article(session, title="Ferry strike called off", published_at=at, now=clock.now)
    drain(worker)
    before = _purge_events(session)
    clock.now = at + timedelta(seconds=1)
    drain(worker)
    drain(worker)
    after = _purge_events(session)
    assert len(after) == len(before) + 1, "one purge, when it went live"
    assert {f"article:{article.slug}", f"comments:{article.slug}", "articles", "changes"} <= after[-1]
