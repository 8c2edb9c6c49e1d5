import os
import re
import subprocess
import time

import httpx
from typer.testing import CliRunner

from app.cli import app
from app.outbox.worker import DeliveryWorker
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import running_server
from tests.webhooks.conftest import drain


def byline(*args: str, database_url: str, check: bool = True) -> subprocess.CompletedProcess:
    """The `byline` command run in this process (the one root command the script runs, its callback
    included): the same commands as a child would run, without a start-up for each. test_cli runs
    the script itself."""
    env = {name: None for name in os.environ if name.startswith("BYLINE_")} | {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_ALLOWED_INTERNAL_HOSTS": '["127.0.0.1"]',
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if check and result.exit_code != 0:
        raise subprocess.CalledProcessError(result.exit_code, ["byline", *args], result.stdout, result.stderr)
    return subprocess.CompletedProcess(["byline", *args], result.exit_code, result.stdout, result.stderr)


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
        created = httpx.post(
            f"{base}/api/v1/webhooks", json={"url": hook.url, "events": ["article.published"]}, headers=admin
        )
        assert created.status_code == 201
        assert httpx.post(f"{base}/api/v1/articles/{draft.slug}/publish", headers=editor).status_code == 200
        deadline = time.monotonic() + 30
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [(e["type"], e["data"]["title"]) for e in hook.events] == [("article.published", "Tide tables for the week")]
