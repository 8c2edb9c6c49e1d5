"""Purges delivered to Varnish, Fastly and Cloudflare: each request as its API documents it, checked
by a real HTTP receiver on loopback; keys batched within each API's limits; a purge kept until its
cache has it."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlmodel import Session, select

from app.articles import editing
from app.core.settings import Settings
from app.deliveries.caches import CLOUDFLARE_TAGS, FASTLY_KEYS, VARNISH_HEADER_BYTES, batches
from app.deliveries.worker import DeliveryWorker
from app.outbox import service as outbox
from app.outbox.models import Channel, Delivery, OutboxEvent
from tests.factories.newsroom import make_article
from tests.webhooks.receiver import receiver

FASTLY_TOKEN = "fastly-token-for-tests"
CLOUDFLARE_TOKEN = "cloudflare-token-for-tests"


@pytest.fixture
def cache():
    with receiver() as state:
        state.status = 200
        yield state


def _worker(engine, settings, clock, **purges) -> DeliveryWorker:
    return DeliveryWorker(engine, Settings(_env_file=None, **(settings.model_dump() | purges)), clock=clock)


def _base(cache) -> str:
    return cache.url.removesuffix("/hooks")


def _purged_keys(engine) -> set[str]:
    with Session(engine) as fresh:
        events = fresh.exec(select(OutboxEvent).where(OutboxEvent.topic == "cache.purge")).all()
        return {key for event in events for key in event.payload["keys"]}


def _waiting(engine) -> list[Delivery]:
    with Session(engine) as fresh:
        return list(fresh.exec(select(Delivery).where(Delivery.channel == Channel.purge.value)).all())


def _purge(session, count: int, *, prefix: str = "article:story-") -> set[str]:
    keys = {f"{prefix}{n:04d}" for n in range(count)}
    outbox.cache_purged(session, keys)
    session.commit()
    return keys


def test_varnish_gets_one_purge_request_with_the_keys_in_an_xkey_header(engine, settings, clock, session, cache):
    make_article(session, slug="harbour-reopens")
    worker = _worker(engine, settings, clock, purge_varnish_url=[cache.url])
    try:
        worker.purge_once()
    finally:
        worker.close()
    # The article's creation and publication, in one request.
    [request] = cache.received
    assert request.method == "PURGE" and request.path == "/hooks"
    assert set(request.headers["xkey"].split(" ")) == _purged_keys(engine)
    assert "article:harbour-reopens" in request.headers["xkey"].split(" ")
    assert _waiting(engine) == []


def test_fastly_gets_the_documented_batch_purge(engine, settings, clock, session, cache):
    make_article(session, slug="harbour-reopens")
    worker = _worker(
        engine,
        settings,
        clock,
        purge_fastly_service_id="SU1Z0isxPaozGVKXdv0eY",
        purge_fastly_token=FASTLY_TOKEN,
        purge_fastly_api=_base(cache),
    )
    try:
        worker.purge_once()
    finally:
        worker.close()
    [request] = cache.received
    assert (request.method, request.path) == ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
    assert request.headers["fastly-key"] == FASTLY_TOKEN
    assert request.headers["content-type"] == "application/json"
    body = orjson.loads(request.body)
    assert list(body) == ["surrogate_keys"] and set(body["surrogate_keys"]) == _purged_keys(engine)


def test_cloudflare_gets_the_documented_tag_purge(engine, settings, clock, session, cache):
    cache.reply = b'{"success": true, "errors": [], "messages": [], "result": {"id": "x"}}'
    make_article(session, slug="harbour-reopens")
    worker = _worker(
        engine,
        settings,
        clock,
        purge_cloudflare_zone_id="023e105f4ecef8ad9ca31a8372d0c353",
        purge_cloudflare_token=CLOUDFLARE_TOKEN,
        purge_cloudflare_api=_base(cache) + "/client/v4",
    )
    try:
        worker.purge_once()
    finally:
        worker.close()
    [request] = cache.received
    assert (request.method, request.path) == ("POST", "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache")
    assert request.headers["authorization"] == f"Bearer {CLOUDFLARE_TOKEN}"
    assert request.headers["content-type"] == "application/json"
    body = orjson.loads(request.body)
    assert list(body) == ["tags"] and set(body["tags"]) == _purged_keys(engine)
    assert _waiting(engine) == []


def test_many_events_go_in_requests_within_each_apis_limit(engine, settings, clock, session):
    keys: set[str] = set()
    for n in range(3):
        keys |= _purge(session, 250, prefix=f"article:a-rather-long-slug-of-story-{n}-")
    with receiver() as varnish, receiver() as fastly, receiver() as cloudflare:
        varnish.status = fastly.status = cloudflare.status = 200
        cloudflare.reply = b'{"success": true}'
        worker = _worker(
            engine,
            settings,
            clock,
            purge_varnish_url=[varnish.url],
            purge_fastly_service_id="service",
            purge_fastly_token=FASTLY_TOKEN,
            purge_fastly_api=_base(fastly),
            purge_cloudflare_zone_id="zone",
            purge_cloudflare_token=CLOUDFLARE_TOKEN,
            purge_cloudflare_api=_base(cloudflare),
        )
        try:
            worker.purge_once()
        finally:
            worker.close()
        sent = {
            "varnish": [r.headers["xkey"].split(" ") for r in varnish.received],
            "fastly": [orjson.loads(r.body)["surrogate_keys"] for r in fastly.received],
            "cloudflare": [orjson.loads(r.body)["tags"] for r in cloudflare.received],
        }
    assert len(sent["fastly"]) == 3 and max(map(len, sent["fastly"])) == FASTLY_KEYS
    assert len(sent["cloudflare"]) == 8 and max(map(len, sent["cloudflare"])) == CLOUDFLARE_TAGS
    assert all(len(" ".join(run)) <= VARNISH_HEADER_BYTES for run in sent["varnish"]) and len(sent["varnish"]) > 1
    for cdn, runs in sent.items():
        assert sorted(key for run in runs for key in run) == sorted(_purged_keys(engine)), cdn
    assert _purged_keys(engine) >= keys


def test_batches_keep_to_both_limits():
    keys = ["k" * 10] * 7
    assert [len(run) for run in batches(keys, most=3)] == [3, 3, 1]
    # 10 bytes a key and a space between: three fit in 32 bytes, a fourth would not.
    assert [len(run) for run in batches(keys, header_bytes=32)] == [3, 3, 1]
    assert list(batches(["k" * 50], header_bytes=32)) == [["k" * 50]]


def test_a_purge_is_kept_while_its_cache_is_down_and_sent_when_it_is_back(engine, settings, clock, session, cache):
    cache.status = 503
    first = _purge(session, 2, prefix="article:first-")
    worker = _worker(engine, settings, clock, purge_varnish_url=[cache.url])
    try:
        worker.purge_once()
        assert {(d.attempts, d.status) for d in _waiting(engine)} == {(1, "pending")}
        # Long past the retry window of webhooks: a cache must still hear of every change.
        clock.now += timedelta(hours=settings.delivery_retry_hours + 1)
        worker.purge_once()
        assert {(d.attempts, d.status) for d in _waiting(engine)} == {(2, "pending")}
        # Another edit while it waits out its backoff; the cache is back.
        cache.status = 200
        second = _purge(session, 2, prefix="article:second-")
        worker.purge_once()
    finally:
        worker.close()
    # Both in one request: the due purge carried the ones in backoff along.
    assert set(cache.received[-1].headers["xkey"].split(" ")) == _purged_keys(engine) >= first | second
    assert _waiting(engine) == []


def test_a_cache_that_refuses_does_not_hold_up_another(engine, settings, clock, session):
    keys = _purge(session, 3)
    with receiver() as down, receiver() as up:
        down.status, up.status = 500, 200
        worker = _worker(engine, settings, clock, purge_varnish_url=[down.url, up.url])
        try:
            worker.purge_once()
        finally:
            worker.close()
        assert set(up.received[0].headers["xkey"].split(" ")) == _purged_keys(engine) >= keys
    assert {d.target for d in _waiting(engine)} == {f"varnish {down.url}"}


def test_cloudflare_refusing_in_its_body_is_a_failure(engine, settings, clock, session, cache):
    cache.reply = b'{"success": false, "errors": [{"code": 1134, "message": "Purge rate limit exceeded"}]}'
    _purge(session, 1)
    worker = _worker(
        engine,
        settings,
        clock,
        purge_cloudflare_zone_id="zone",
        purge_cloudflare_token=CLOUDFLARE_TOKEN,
        purge_cloudflare_api=_base(cache),
    )
    try:
        worker.purge_once()
    finally:
        worker.close()
    assert {(d.attempts, d.status) for d in _waiting(engine)} == {(1, "pending")}


def test_without_caches_purge_events_are_only_marked(engine, settings, clock, session):
    _purge(session, 1)
    worker = _worker(engine, settings, clock)
    try:
        worker.run_once()
    finally:
        worker.close()
    assert _waiting(engine) == []
    assert session.exec(select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))).all() == []


def test_an_article_going_live_by_itself_is_purged_from_caches(engine, settings, clock, session, cache):
    clock.now = datetime.now(UTC)
    article = make_article(session, slug="ferry-strike", status="draft", now=clock.now)
    at = clock.now + timedelta(hours=1)
    editing.publish_article(session, article, published_at=at, now=clock.now, actor="t")
    worker = _worker(engine, settings, clock, purge_varnish_url=[cache.url])
    try:
        worker.run_once()
        worker.purge_once()
        sent = len(cache.received)
        clock.now = at + timedelta(seconds=1)
        worker.run_once()
        worker.purge_once()
    finally:
        worker.close()
    [went_live] = cache.received[sent:]
    assert {"article:ferry-strike", "articles"} <= set(went_live.headers["xkey"].split(" "))
