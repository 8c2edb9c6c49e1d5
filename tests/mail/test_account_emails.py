import re
from datetime import timedelta

import pyotp

from tests.factories.people import PASSWORD, make_user, sign_in
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


def test_changes_to_how_one_signs_in_are_told_by_email(client, session, settings, clock, mailbox, mail_worker):
    make_user(session, settings, "ana@example.org")
    csrf = sign_in(client, "ana@example.org")
    wrong = {"current_password": "guess", "new_password": "another long passphrase"}
    assert client.put("/api/v1/users/me/password", json=wrong, headers=csrf).status_code == 422
    right = wrong | {"current_password": PASSWORD}
    assert client.put("/api/v1/users/me/password", json=right, headers=csrf).status_code == 204
    enrolled = client.post("/api/v1/users/me/totp", json={"password": "another long passphrase"}, headers=csrf)
    totp = pyotp.TOTP(enrolled.json()["secret"])
    assert (
        client.post("/api/v1/users/me/totp/confirm", json={"code": totp.at(clock.now)}, headers=csrf).status_code == 200
    )
    clock.now += timedelta(seconds=30)
    disabled = client.post("/api/v1/users/me/totp/disable", json={"code": totp.at(clock.now)}, headers=csrf)
    assert disabled.status_code == 204
    drain(mail_worker)
    # One notice a change, none for the refused one.
    assert sorted(message["Subject"] for _, message in mailbox.messages) == [
        "An authenticator was added to your Byline account",
        "The authenticator was removed from your Byline account",
        "Your Byline password was changed",
    ]
    for recipients, message in mailbox.messages:
        assert recipients == ["ana@example.org"] and "tell an administrator" in message.get_content()
