import re
import subprocess
import time

from app.deliveries.worker import DeliveryWorker
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import run_in_process, running_server
from tests.webhooks.conftest import drain


def byline(*args: str, database_url: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_ALLOWED_INTERNAL_HOSTS": '["127.0.0.1"]'}
    return run_in_process(*args, env=env, check=check)


def test_endpoints_are_added_listed_tested_and_removed_from_the_command_line(
    database_url, engine, settings, clock, hook
):
    added = byline(
        "webhooks",
        "add",
        hook.url,
        "--events",
        "article.published",
        "--events",
        "comment.created",
        database_url=database_url,
    )
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    listing = byline("webhooks", "list", database_url=database_url).stdout
    assert hook.url in listing and "comment.created" in listing and secret not in listing
    endpoint_id = re.search(r"Endpoint (\d+) for", added.stdout).group(1)
    byline("webhooks", "test", endpoint_id, database_url=database_url)
    worker = DeliveryWorker(engine, settings, clock=clock)
    try:
        drain(worker)
    finally:
        worker.close()
    assert [event["type"] for event in hook.events] == ["webhook.ping"]
    byline("webhooks", "remove", endpoint_id, database_url=database_url)
    assert hook.url not in byline("webhooks", "list", database_url=database_url).stdout
    missing = byline("webhooks", "remove", endpoint_id, database_url=database_url, check=False)
    assert missing.returncode == 1


def test_command_line_refuses_a_receiver_that_is_not_http(database_url):
    refused = byline(
        "webhooks", "add", "ftp://x.example", "--events", "article.published", database_url=database_url, check=False
    )
    assert refused.returncode == 2 and "url" in refused.stdout + refused.stderr


def test_serve_delivers_webhooks_when_asked_to(database_url, api_key, session, hook):
    admin, editor = api_key("admin"), api_key("content:write")
    draft = make_article(session, status="draft", title="Tide tables for the week")
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_ALLOWED_INTERNAL_HOSTS": '["127.0.0.1"]',
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_SERVE_WORKER": "true",
        "BYLINE_WORKER_POLL_SECONDS": "0.2",
    }
    with running_server(env) as base:
        created = loopback.post(
            f"{base}/api/v1/webhooks", json={"url": hook.url, "events": ["article.published"]}, headers=admin
        )
        assert created.status_code == 201
        assert loopback.post(f"{base}/api/v1/articles/{draft.slug}/publish", headers=editor).status_code == 200
        deadline = time.monotonic() + 30
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [(e["type"], e["data"]["title"]) for e in hook.events] == [("article.published", "Tide tables for the week")]
