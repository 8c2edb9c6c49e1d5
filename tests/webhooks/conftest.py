import pytest

from app.deliveries.worker import DeliveryWorker
from tests.webhooks.receiver import receiver


@pytest.fixture
def admin(api_key) -> dict[str, str]:
    return api_key("admin")


@pytest.fixture
def hook():
    with receiver() as state:
        yield state


@pytest.fixture
def worker(engine, settings, clock):
    running = DeliveryWorker(engine, settings, clock=clock)
    yield running
    running.close()


@pytest.fixture
def subscribe(client, admin):
    def create(url: str, *events: str) -> dict:
        answer = client.post("/api/v1/webhooks", json={"url": url, "events": list(events)}, headers=admin)
        assert answer.status_code == 201, answer.text
        return answer.json()

    return create


def drain(worker, *, passes: int = 10) -> None:
    """Run passes until one attempts nothing."""
    for _ in range(passes):
        if not worker.run_once():
            return
