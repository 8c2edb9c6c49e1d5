import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from app.deliveries.worker import DeliveryWorker
from tests.mail.receiver import SENDER, Mailbox, only_the_newsroom
from tests.server import free_port


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port):
    box = Mailbox()
    controller = Controller(
        box, hostname="127.0.0.1", port=smtp_port, authenticator=only_the_newsroom, auth_require_tls=False
    )
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def mail_settings(settings, smtp_port):
    url = f"smtp://byline:s3cret%3A%2F%40@127.0.0.1:{smtp_port}"
    return settings.model_copy(update={"smtp_url": SecretStr(url), "mail_from": SENDER})


@pytest.fixture
def mail_worker(engine, mail_settings, clock):
    worker = DeliveryWorker(engine, mail_settings, clock=clock)
    yield worker
    worker.close()
