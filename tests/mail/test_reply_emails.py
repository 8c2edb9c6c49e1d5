import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from app.comments.models import Comment
from app.deliveries.worker import DeliveryWorker
from app.outbox.models import Delivery
from app.outbox.service import pending_events
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article
from tests.mail.receiver import SENDER, Mailbox, only_the_newsroom, raw_header
from tests.webhooks.conftest import drain


def _replied_to(client, session, api_key) -> tuple[object, dict, dict]:
    moderator = api_key("comments:moderate")
    article = make_article(session, title="Harbour bridge reopens after repairs")
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    answer = reply(client, article.slug, parent_id=parent, author_name="Sam Okafor", content="Good point.\nAgreed.")
    approve(client, moderator, answer.json()["id"])
    return article, {"id": parent}, answer.json()


def test_reply_email_reaches_the_commenter(client, session, api_key, mailbox, mail_worker):
    article, parent, _ = _replied_to(client, session, api_key)
    drain(mail_worker)

    [(recipients, message)] = mailbox.messages
    assert recipients == ["parent@example.com"] and message["To"] == "parent@example.com"
    assert message["From"] == SENDER
    assert "Sam Okafor" in message["Subject"] and "Harbour bridge reopens after repairs" in message["Subject"]
    # Mail clients read these headers as sent: an encoded word or a folded line hides the link (RFC 8058).
    [raw] = mailbox.received
    unsubscribe = raw_header(raw, "List-Unsubscribe").decode("ascii")
    assert re.fullmatch(r"<http://testserver/api/v1/comments/unsubscribe\?token=[\w.-]+>", unsubscribe)
    assert raw_header(raw, "List-Unsubscribe-Post") == b"List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "Sam Okafor" in text and "> Good point." in text and unsubscribe[1:-1] in text
    assert f"http://testserver/article.html?slug={article.slug}" in text
    assert message.get_body(("html",)) is not None

    # What a mail client does for the one-click button (RFC 8058): POST the form to the link.
    clicked = client.post(
        unsubscribe[1:-1].removeprefix("http://testserver"),
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200 and clicked.json() == {"unsubscribed": True}
    assert clicked.headers["cache-control"] == "no-store"
    session.expire_all()
    assert session.exec(select(Comment.notify_replies).where(Comment.id == parent["id"])).one() is False


def test_mail_server_down_is_retried_until_it_is_back(client, session, engine, api_key, mail_settings, clock):
    _replied_to(client, session, api_key)
    worker = DeliveryWorker(engine, mail_settings, clock=clock)
    try:
        drain(worker)  # nothing listens on the port yet
        with Session(engine) as fresh:
            [delivery] = fresh.exec(select(Delivery).where(Delivery.channel == "email")).all()
        assert delivery.status == "pending" and delivery.attempts == 1
        box = Mailbox()
        port = int(mail_settings.smtp_url.get_secret_value().rsplit(":", 1)[1])
        controller = Controller(
            box, hostname="127.0.0.1", port=port, authenticator=only_the_newsroom, auth_require_tls=False
        )
        controller.start()
        try:
            clock.now += timedelta(hours=1)
            drain(worker)
        finally:
            controller.stop()
        assert [recipients for recipients, _ in box.messages] == [["parent@example.com"]]
    finally:
        worker.close()


def test_a_retry_sends_the_same_message_id(client, session, engine, api_key, mailbox, mail_worker, clock):
    # The server read the message, then failed: the reader's mail client must see one message, not two.
    mailbox.defer_data = 1
    _replied_to(client, session, api_key)
    drain(mail_worker)
    clock.now += timedelta(hours=1)
    drain(mail_worker)
    with Session(engine) as fresh:
        [delivery] = fresh.exec(select(Delivery).where(Delivery.channel == "email")).all()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    first, retry = (raw_header(message, "Message-ID") for message in mailbox.received)
    assert re.fullmatch(rb"<[^<>@\s]+@byline\.example>", first) and retry == first
    _replied_to(client, session, api_key)
    drain(mail_worker)
    assert raw_header(mailbox.received[-1], "Message-ID") != first


def test_recipient_refused_for_good_is_not_retried(client, session, engine, api_key, mailbox, mail_worker, clock):
    mailbox.refuse = "550 5.1.1 No such mailbox"
    _replied_to(client, session, api_key)
    drain(mail_worker)
    with Session(engine) as fresh:
        [delivery] = fresh.exec(select(Delivery).where(Delivery.channel == "email")).all()
    assert delivery.status == "failed" and delivery.attempts == 1


def test_without_smtp_reply_emails_wait_in_the_outbox(client, session, engine, api_key, worker_without_mail):
    _replied_to(client, session, api_key)
    drain(worker_without_mail)
    with Session(engine) as fresh:
        assert [e.topic for e in pending_events(fresh)] == ["comment.reply"]
        assert fresh.exec(select(Delivery).where(Delivery.channel == "email")).all() == []


@pytest.fixture
def worker_without_mail(engine, settings, clock):
    assert settings.smtp_url is None
    worker = DeliveryWorker(engine, settings, clock=clock)
    yield worker
    worker.close()


def test_smtp_settings_are_checked_at_start():
    from pydantic import ValidationError

    from app.core.settings import Settings

    with pytest.raises(ValidationError, match="BYLINE_SMTP_URL"):
        Settings(_env_file=None, smtp_url="http://mail.example", mail_from=SENDER)
    with pytest.raises(ValidationError, match="BYLINE_MAIL_FROM"):
        Settings(_env_file=None, smtp_url="smtps://mail.example")


def test_a_trusted_commenters_reply_is_announced_at_once(client, session, engine, api_key, mailbox, mail_worker):
    moderator = api_key("comments:moderate")
    article = make_article(session, title="Ferry timetable changes")
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    first = reply(client, article.slug, author_email="sam@example.com").json()
    approve(client, moderator, first["id"])
    again = reply(
        client, article.slug, parent_id=parent, author_email="sam@example.com", commenter_token=first["commenter_token"]
    )
    assert again.status_code == 201
    drain(mail_worker)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["parent@example.com"] and "Ferry timetable changes" in message["Subject"]
