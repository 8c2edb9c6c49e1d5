"""Webhook receivers and remote feeds only at public addresses: every spelling of an internal
address, and every name resolving to one, is refused at registration and again at each request."""

from ipaddress import ip_address

import pytest

from app.core.outbound import DestinationRefused, Destinations
from app.deliveries.worker import DeliveryWorker
from app.ingest.readers.feeds import read_feed
from app.main import create_app
from tests.app_client import AppClient
from tests.conftest import PROXY_ADDRESS
from tests.webhooks.conftest import drain

INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://127.0.0.1:8000/hook",
    "http://0x7f.1/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
    "http://017700000001/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://[ff02::1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://localhost:8000/hook",
]


@pytest.fixture
def strict(settings):
    return settings.model_copy(update={"allowed_internal_hosts": []})


@pytest.fixture
def strict_client(strict, clock):
    with AppClient(create_app(strict, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        yield client


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_receiver_is_refused_at_registration(strict_client, admin, url):
    answer = strict_client.post("/api/v1/webhooks", json={"url": url, "events": ["article.published"]}, headers=admin)
    assert answer.status_code == 422
    assert [e["pointer"] for e in answer.json()["errors"]] == ["#/url"]
    assert strict_client.get("/api/v1/webhooks", headers=admin).json()["data"] == []


def test_a_public_receiver_is_registered(strict_client, admin):
    answer = strict_client.post(
        "/api/v1/webhooks", json={"url": "https://93.184.215.14/hook", "events": ["article.published"]}, headers=admin
    )
    assert answer.status_code == 201


def test_a_receiver_allowed_when_registered_is_checked_again_at_delivery(
    client, admin, subscribe, hook, engine, strict, clock
):
    endpoint = subscribe(hook.url, "article.published")
    client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    worker = DeliveryWorker(engine, strict, clock=clock)
    try:
        drain(worker)
    finally:
        worker.close()
    assert hook.received == []
    [attempt] = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["data"]
    assert attempt["outcome"] == "retrying" and "not public" in attempt["error"]


def test_allowed_hosts_may_be_names_or_networks():
    allowed = Destinations.allowing(["localhost", "10.0.0.0/8", "[::1]"])
    assert allowed.addresses("10.1.2.3", 80) == [ip_address("10.1.2.3")]
    assert allowed.addresses("[::1]", 80) == [ip_address("::1")]
    assert ip_address("127.0.0.1") in allowed.addresses("localhost", 80)
    with pytest.raises(DestinationRefused):
        allowed.addresses("192.168.0.1", 80)


def test_a_remote_feed_at_an_internal_address_is_refused():
    [result] = list(read_feed("http://127.0.0.1:9/feed"))
    assert result.record is None and "not public" in result.error
