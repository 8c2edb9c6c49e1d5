import re

from tests.factories.people import PASSWORD, make_user
from tests.mail.receiver import SENDER
from tests.webhooks.conftest import drain

INVITE = {"email": "nia@example.org", "name": "Nia Obi", "role": "contributor"}


def _link(message, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    [link] = re.findall(rf"http://testserver{path}\?token=[\w-]+", text)
    assert link in message.get_body(("html",)).get_content()
    return link


def test_an_invitation_arrives_by_smtp_and_its_link_signs_in(client, api_key, mailbox, mail_worker):
    assert client.post("/api/v1/users/invites", json=INVITE, headers=api_key("admin")).status_code == 202
    drain(mail_worker)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["nia@example.org"] and message["From"] == SENDER and "invited" in message["Subject"]
    token = _link(message, "/desk/accept").partition("=")[2]
    accepted = client.post("/api/v1/users/invites/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200 and accepted.json()["user"]["email"] == "nia@example.org"


def test_a_reset_email_arrives_by_smtp_and_its_link_sets_the_password(client, session, settings, mailbox, mail_worker):
    make_user(session, settings, "ana@example.org")
    client.post("/api/v1/session/password-reset", json={"email": "ana@example.org"})
    client.post("/api/v1/session/password-reset", json={"email": "nobody@example.org"})
    drain(mail_worker)
    [(recipients, message)] = mailbox.messages
    assert recipients == ["ana@example.org"] and "password" in message["Subject"]
    token = _link(message, "/desk/reset").partition("=")[2]
    body = {"token": token, "password": "an entirely new passphrase"}
    assert client.post("/api/v1/session/password-reset/confirm", json=body).status_code == 200
