import threading
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook

from app.articles import corrections, editing
from app.articles.schemas import CorrectionCreate
from app.deliveries.worker import DeliveryWorker
from app.outbox import service as outbox
from app.outbox.models import Delivery, OutboxEvent
from app.webhooks import service as webhooks
from app.webhooks.sender import INTERNAL_FAILURE
from tests.factories.newsroom import make_article
from tests.server import free_port
from tests.webhooks.conftest import drain

ARTICLE_EVENTS = ("article.published", "article.updated", "article.unpublished", "article.deleted")


def test_published_article_reaches_the_endpoint_signed(client, admin, session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)  # receivers refuse signatures more than 5 minutes old
    endpoint = subscribe(hook.url, "article.published")
    article = make_article(session, now=clock.now)
    drain(worker)

    [got] = hook.received
    # The receiver's recipe from docs/how-to/webhooks.md: the standardwebhooks package checks headers and timestamp.
    event = Webhook(endpoint["secret"]).verify(got.body, got.headers)
    assert event["type"] == "article.published"
    assert event["data"] == event["data"] | {
        "article_id": article.id,
        "slug": article.slug,
        "title": article.title,
        "url": f"http://testserver/api/v1/articles/{article.slug}",
    }
    assert got.headers["webhook-id"].startswith("msg_") and got.headers["content-type"] == "application/json"
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()
    [attempt] = log["data"]
    assert attempt | {"duration_ms": 0} == attempt | {
        "event_type": "article.published",
        "attempt": 1,
        "status_code": 204,
        "error": None,
        "outcome": "delivered",
        "duration_ms": 0,
    }


def test_signature_of_another_secret_does_not_verify(session, hook, worker, subscribe, clock):
    clock.now = datetime.now(UTC)
    subscribe(hook.url, "article.published")
    other = subscribe("https://elsewhere.example", "article.updated")
    make_article(session, now=clock.now)
    drain(worker)
    [got] = hook.received
    try:
        Webhook(other["secret"]).verify(got.body, got.headers)
    except Exception as refused:
        assert type(refused).__name__ == "WebhookVerificationError"
    else:
        raise AssertionError("verified with the wrong secret")


def test_endpoints_receive_only_their_events(session, hook, worker, subscribe):
    subscribe(hook.url, "article.updated")
    article = make_article(session)
    drain(worker)
    assert hook.received == []
    corrections.add_correction(
        session, article, CorrectionCreate(text="A name was misspelt."), now=article.updated_at, actor="tests"
    )
    drain(worker)
    assert [e["type"] for e in hook.events] == ["article.updated"]


def test_topics_without_receivers_are_marked_processed(session, engine, worker, subscribe, hook):
    subscribe(hook.url, "comment.created")
    outbox.emit(session, "cache.purge", {"keys": ["a"]}, now=datetime(2025, 6, 1, tzinfo=UTC))
    outbox.emit(session, "something.new", {}, now=datetime(2025, 6, 1, tzinfo=UTC))
    session.commit()
    make_article(session)
    drain(worker)
    with Session(engine) as fresh:
        assert outbox.pending_events(fresh) == []
    assert hook.received == []


def test_ping_reaches_only_its_endpoint(client, admin, hook, worker, subscribe):
    endpoint = subscribe(hook.url, "article.deleted")
    with_other_url = subscribe(hook.url + "/other", "article.deleted")
    queued = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    assert queued.status_code == 202
    drain(worker)
    [got] = hook.received
    assert got.event["type"] == "webhook.ping" and got.event["data"]["endpoint_id"] == endpoint["id"]
    assert got.headers["webhook-id"] == f"msg_{queued.json()['event_id']}"
    assert client.get(f"/api/v1/webhooks/{with_other_url['id']}/deliveries", headers=admin).json()["data"] == []


def test_receiver_down_for_an_hour_gets_every_event_in_order(client, admin, session, hook, worker, subscribe, clock):
    endpoint = subscribe(hook.url, *ARTICLE_EVENTS)
    first = make_article(session, now=clock.now)
    corrections.add_correction(session, first, CorrectionCreate(text="Corrected a date."), now=clock.now, actor="tests")
    editing.unpublish_article(session, first, now=clock.now, actor="tests")
    second = make_article(session, now=clock.now)
    hook.status = 503
    down_until = clock.now + timedelta(hours=1)
    while clock.now < down_until:
        worker.run_once()
        clock.now += timedelta(minutes=5)
    # While the first of an article's events keeps failing, its later ones wait.
    tried = {(e["data"]["article_id"], e["type"]) for e in hook.events}
    assert tried == {(first.id, "article.published"), (second.id, "article.published")}
    assert len(hook.received) > 2 * 5, "retried with backoff during the hour"

    hook.status = 204
    failed_before = len(hook.received)
    clock.now += timedelta(hours=1)
    for _ in range(5):
        drain(worker)
    delivered = [e for e in hook.events[failed_before:]]
    assert [e["type"] for e in delivered if e["data"]["article_id"] == first.id] == [
        "article.published",
        "article.updated",
        "article.unpublished",
    ]
    assert [e["type"] for e in delivered if e["data"]["article_id"] == second.id] == ["article.published"]
    # A retry carries the id of the first try, so the receiver can tell it from a new event.
    ids_of_first = {r.headers["webhook-id"] for r in hook.received if r.event["data"]["article_id"] == first.id}
    assert len(ids_of_first) == 3
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries?limit=100", headers=admin).json()
    outcomes = [a["outcome"] for a in log["data"]]
    assert outcomes.count("delivered") == 4 and "retrying" in outcomes
    # The receiver is internal (allowed for the tests): its failures are logged without their kind.
    retries = [a for a in log["data"] if a["outcome"] == "retrying"]
    assert {(a["status_code"], a["error"]) for a in retries} == {(None, INTERNAL_FAILURE)}


def test_delivery_is_given_up_after_the_retry_window(client, admin, hook, worker, subscribe, clock):
    endpoint = subscribe(hook.url, "article.published")
    hook.status = 500
    started = clock.now
    client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    while clock.now < started + timedelta(hours=26):
        worker.run_once()
        clock.now += timedelta(minutes=30)
    attempts = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries?limit=100", headers=admin).json()["data"]
    assert attempts[0]["outcome"] == "failed" and {a["outcome"] for a in attempts[1:]} == {"retrying"}
    last = datetime.fromisoformat(attempts[0]["attempted_at"])
    assert last >= started + timedelta(hours=24)
    assert [a["attempt"] for a in attempts] == list(range(len(attempts), 0, -1))
    count = len(hook.received)
    clock.now += timedelta(days=2)
    drain(worker)
    assert len(hook.received) == count


def test_an_internal_receiver_failing_is_logged_alike_however_it_failed(client, admin, worker, subscribe, hook):
    """No port-scan oracle: a closed port and an open one that answers 500 read the same in the log."""
    hook.status = 500
    nobody = subscribe(f"http://127.0.0.1:{free_port()}/nobody-listens", "article.published")
    erring = subscribe(hook.url, "article.published")
    for endpoint in (nobody, erring):
        client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    drain(worker)
    logged = []
    for endpoint in (nobody, erring):
        [attempt] = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["data"]
        logged.append((attempt["status_code"], attempt["error"], attempt["outcome"]))
    assert logged == [(None, INTERNAL_FAILURE, "retrying")] * 2


def test_two_workers_never_send_one_delivery_twice(engine, settings, clock, session, hook, subscribe):
    subscribe(hook.url, "article.published")
    for _ in range(6):
        make_article(session, now=clock.now)
    hook.before_answer = lambda _: time.sleep(0.2)
    workers = [DeliveryWorker(engine, settings, clock=clock) for _ in range(3)]
    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for w in workers:
        w.close()
    ids = [r.headers["webhook-id"] for r in hook.received]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_removed_endpoint_gets_nothing_more(client, admin, session, engine, hook, worker, subscribe):
    endpoint = subscribe(hook.url, "article.published")
    hook.status = 500
    make_article(session)
    drain(worker)
    assert client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=admin).status_code == 204
    with Session(engine) as fresh:
        assert fresh.exec(select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))).all() == []
    before = len(hook.received)
    worker.clock.now += timedelta(hours=2)
    drain(worker)
    assert len(hook.received) == before


def test_endpoint_removed_mid_delivery_does_not_stop_the_worker(engine, session, hook, worker, subscribe):
    endpoint = subscribe(hook.url, "article.published")
    later = subscribe(hook.url + "/later", "article.published")

    def remove_the_first(got) -> None:
        if got.path == "/hooks":
            with Session(engine) as other:
                webhooks.remove_endpoint(other, endpoint["id"])

    hook.before_answer = remove_the_first
    make_article(session)
    drain(worker)
    with Session(engine) as fresh:
        remaining = fresh.exec(select(Delivery)).all()
    assert [(d.endpoint_id, d.status) for d in remaining] == [(later["id"], "succeeded")]
