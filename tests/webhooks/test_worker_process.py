"""`byline worker` as a real process: stopped by SIGTERM, and killed mid-delivery."""

import os
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlmodel import Session, select

from app.outbox.models import Delivery
from app.webhooks import service
from app.webhooks.schemas import WebhookCreate
from tests.factories.newsroom import make_article
from tests.server import LOOPBACK, Started

# As short as the settings allow over the delivery timeout (more than 4 x), so the redelivery waits
# out the lease yet the test does not wait longer than it must.
DELIVERY_TIMEOUT_SECONDS = 1.25
LEASE_SECONDS = 6


@contextmanager
def worker_process(database_url: str):
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BYLINE_")}
    env = inherited | {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_ALLOWED_INTERNAL_HOSTS": '["127.0.0.1"]',
        "BYLINE_DELIVERY_TIMEOUT_SECONDS": str(DELIVERY_TIMEOUT_SECONDS),
        "BYLINE_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
        "BYLINE_WORKER_POLL_SECONDS": "0.2",
        "BYLINE_LOG_FORMAT": "text",
    }
    with tempfile.TemporaryFile("w+") as log:
        process = Started(["worker"], env=env, output=log.fileno())
        try:
            yield process
        except BaseException:
            log.seek(0)
            print(log.read()[-3000:])
            raise
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()


def _delivery(engine) -> Delivery:
    with Session(engine) as fresh:
        [delivery] = fresh.exec(select(Delivery)).all()
        return delivery


def test_sigterm_stops_the_worker_cleanly(database_url, session, hook):
    subscription = WebhookCreate(url=hook.url, events=["article.published"])
    service.add_endpoint(session, subscription, now=datetime.now(UTC), destinations=LOOPBACK)
    make_article(session)
    with worker_process(database_url) as worker:
        deadline = time.monotonic() + 30
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hook.received, "the worker delivered"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0


def test_worker_killed_mid_delivery_is_replaced_after_its_lease(database_url, session, engine, hook):
    subscription = WebhookCreate(url=hook.url, events=["article.published"])
    service.add_endpoint(session, subscription, now=datetime.now(UTC), destinations=LOOPBACK)
    make_article(session)
    first_arrived, release = threading.Event(), threading.Event()

    def stall_the_first(_):
        if not first_arrived.is_set():
            first_arrived.set()
            release.wait(30)

    hook.before_answer = stall_the_first
    with worker_process(database_url) as doomed:
        assert first_arrived.wait(30), "the first worker began the delivery"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    killed_at = time.monotonic()
    with worker_process(database_url):
        deadline = time.monotonic() + LEASE_SECONDS + 30
        while len(hook.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        redelivered_after = time.monotonic() - killed_at
        # The worker records the answer just after the receiver sends it.
        while _delivery(engine).status == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
    release.set()
    first, second = hook.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    # Not before the dead worker's lease ran out (less the time it took to kill it), and later than a
    # new worker's start-up alone would make it.
    assert redelivered_after >= LEASE_SECONDS - 2
    delivery = _delivery(engine)
    assert delivery.status == "succeeded" and delivery.attempts == 1
