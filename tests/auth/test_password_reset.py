from datetime import timedelta

from sqlmodel import select

from app.auth.models import UserSession
from app.auth.roles import Role
from app.auth.users import deactivate_user
from app.mail import accounts
from app.outbox.service import pending_events
from tests.factories.newsroom import NOW
from tests.factories.people import PASSWORD, audit_actions, emailed_link, make_user, sign_in

NEW = "an entirely new passphrase"


def _ask(client, email, **headers):
    return client.post("/api/v1/session/password-reset", json={"email": email}, headers=headers)


def test_the_answer_is_the_same_whoever_asks_and_only_accounts_get_an_email(client, session, settings):
    make_user(session, settings, "ana@example.org")
    make_user(session, settings, "gone@example.org")
    deactivate_user(session, "gone@example.org", now=NOW)
    answers = [_ask(client, email) for email in ("Ana@Example.org", "nobody@example.org", "gone@example.org", "x")]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1 and answers[0].headers["cache-control"] == "no-store"
    assert [e.payload["to"] for e in pending_events(session, topic=accounts.TOPIC)] == ["ana@example.org"]
    # The outbox holds the link sealed: its rows alone open no account.
    [event] = pending_events(session, topic=accounts.TOPIC)
    session.commit()
    assert emailed_link(session, settings, "ana@example.org") not in str(event.payload)


def test_the_link_sets_the_password_ends_every_session_and_signs_in(client, session, settings, api_key):
    make_user(session, settings, "ana@example.org")
    sign_in(client, "ana@example.org")
    old_cookie = client.cookies["byline_session"]
    client.cookies.clear()
    assert _ask(client, "ana@example.org").status_code == 202
    token = emailed_link(session, settings, "ana@example.org")
    # A guessable password is refused, and the link still works for a better one.
    weak = client.post("/api/v1/session/password-reset/confirm", json={"token": token, "password": "ana@example.org!"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["pointer"] == "#/password"
    confirmed = client.post("/api/v1/session/password-reset/confirm", json={"token": token, "password": NEW})
    assert confirmed.status_code == 200 and client.get("/api/v1/session").status_code == 200
    session.expire_all()
    live = session.exec(select(UserSession).where(UserSession.revoked_at.is_(None))).all()
    session.commit()
    assert [s.id for s in live] == [confirmed.json()["session_id"]]
    client.cookies.clear()
    client.cookies.set("byline_session", old_cookie)
    assert client.get("/api/v1/session").status_code == 401
    client.cookies.clear()
    assert client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD}).status_code == 401
    sign_in(client, "ana@example.org", NEW)
    reused = client.post("/api/v1/session/password-reset/confirm", json={"token": token, "password": NEW})
    assert reused.status_code == 422 and reused.json()["errors"][0]["pointer"] == "#/token"
    actions = [action for action, _, _ in audit_actions(client, api_key("admin"), target_kind="user")]
    assert actions[:4] == ["user.sign_in", "user.sign_in_fail", "user.sign_in", "user.password_reset"]


def test_links_expire_and_a_newer_one_voids_the_last(client, session, settings, clock):
    make_user(session, settings, "ana@example.org", role=Role.contributor)
    _ask(client, "ana@example.org")
    first = emailed_link(session, settings, "ana@example.org")
    _ask(client, "ana@example.org")
    second = emailed_link(session, settings, "ana@example.org")
    confirm = "/api/v1/session/password-reset/confirm"
    assert client.post(confirm, json={"token": first, "password": NEW}).status_code == 422
    clock.now += timedelta(minutes=settings.password_reset_minutes, seconds=1)
    assert client.post(confirm, json={"token": second, "password": NEW}).status_code == 422


def test_requests_are_limited_per_account_without_locking_its_sign_in(client, session, settings):
    make_user(session, settings, "ana@example.org")
    for _ in range(settings.sign_in_limit_per_account):
        assert _ask(client, "ana@example.org").status_code == 202
    limited = _ask(client, "ana@example.org")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["type"].endswith("/problems/too-many-sign-ins")
    # Another network is held to the account's limit too; the person can still sign in.
    assert _ask(client, "ana@example.org", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    sign_in(client, "ana@example.org")
