from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from app.auth import second_factor
from app.auth.models import SecondFactor
from app.auth.roles import Role
from app.mail import accounts
from app.main import create_app
from app.outbox.service import pending_events
from tests.app_client import AppClient
from tests.conftest import PROXY_ADDRESS
from tests.factories.people import PASSWORD, audit_actions, emailed_link, make_user, sign_in


def _enable(client, csrf, clock) -> tuple[pyotp.TOTP, list[str]]:
    enrolled = client.post("/api/v1/users/me/totp", json={"password": PASSWORD}, headers=csrf)
    assert enrolled.status_code == 200, enrolled.text
    totp = pyotp.TOTP(enrolled.json()["secret"])
    assert enrolled.json()["otpauth_uri"] == totp.provisioning_uri(name="ana@example.org", issuer_name="Byline")
    confirmed = client.post("/api/v1/users/me/totp/confirm", json={"code": totp.at(clock.now)}, headers=csrf)
    assert confirmed.status_code == 200, confirmed.text
    return totp, confirmed.json()["recovery_codes"]


def _password_step(client) -> str:
    client.cookies.clear()
    due = client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD})
    assert due.status_code == 202 and due.json()["second_factor_required"], due.text
    assert "set-cookie" not in due.headers
    return due.json()["pending_token"]


def _code_step(client, pending: str, code: str):
    return client.post("/api/v1/session/totp", json={"pending_token": pending, "code": code})


@pytest.fixture
def ana(client, session, settings) -> dict[str, str]:
    make_user(session, settings, "ana@example.org")
    return sign_in(client, "ana@example.org")


def test_an_enabled_authenticator_is_asked_for_at_sign_in_and_no_code_passes_twice(
    client, session, ana, clock, api_key
):
    totp, _ = _enable(client, ana, clock)
    # Only sealed: the seed is neither stored in clear nor shown again.
    [factor] = session.exec(select(SecondFactor)).all()
    session.commit()
    assert totp.secret not in factor.sealed_secret and totp.secret not in client.get("/api/v1/users/me").text
    pending = _password_step(client)
    # The confirming code was this time step's: it is spent.
    reused = _code_step(client, pending, totp.at(clock.now))
    assert reused.status_code == 422 and reused.json()["errors"][0]["pointer"] == "#/code"
    clock.now += timedelta(seconds=30)
    signed_in = _code_step(client, pending, totp.at(clock.now))
    assert signed_in.status_code == 200 and "HttpOnly" in signed_in.headers["set-cookie"]
    assert client.get("/api/v1/session").json()["user"]["email"] == "ana@example.org"
    assert _code_step(client, _password_step(client), totp.at(clock.now)).status_code == 422
    # Each used code sent is recorded, and its owner told.
    actions = [action for action, _, _ in audit_actions(client, api_key("admin"), target_kind="user")]
    assert actions == ["user.totp_reuse", "user.sign_in", "user.totp_reuse", "user.totp_enrol", "user.sign_in"]
    notices = [e.payload["kind"] for e in pending_events(session, topic=accounts.TOPIC)]
    session.commit()
    assert notices == ["totp_enrol", "totp_reuse", "totp_reuse"]


def test_one_authenticator_at_a_time_and_only_once_enrolled(client, ana, clock):
    unenrolled = client.post("/api/v1/users/me/totp/confirm", json={"code": "123456"}, headers=ana)
    assert unenrolled.status_code == 409 and unenrolled.json()["type"].endswith("/problems/second-factor-not-enrolled")
    # The password is asked again: a session alone does not tie the account to an authenticator.
    for body in ({}, {"password": "not it"}):
        refused = client.post("/api/v1/users/me/totp", json=body, headers=ana)
        assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "#/password", body
    assert not client.get("/api/v1/session").json()["second_factor_enabled"]
    _enable(client, ana, clock)
    # The session says so, for the desk's account screen.
    assert client.get("/api/v1/session").json()["second_factor_enabled"]
    again = client.post("/api/v1/users/me/totp", json={"password": PASSWORD}, headers=ana)
    assert again.status_code == 409 and again.json()["type"].endswith("/problems/second-factor-enabled")


def test_recovery_codes_sign_in_once_each(client, ana, clock, api_key):
    _, codes = _enable(client, ana, clock)
    assert len(codes) == len(set(codes)) == 10
    assert _code_step(client, _password_step(client), codes[0].upper()).status_code == 200
    assert _code_step(client, _password_step(client), codes[0]).status_code == 422
    assert ("user.recovery_code", "ana@example.org", "ana@example.org") in audit_actions(client, api_key("admin"))


def test_a_recovery_code_of_decimal_digits_alone_signs_in(client, ana, clock, monkeypatch):
    # About one recovery code in a hundred is drawn so; it was once taken for an authenticator's code.
    drawn = iter(["0123456789", "9876543210", *(f"abcdef{n:04}" for n in range(8))])
    monkeypatch.setattr(second_factor, "token_hex", lambda _: next(drawn))
    _, codes = _enable(client, ana, clock)
    assert codes[:2] == ["01234-56789", "98765-43210"]
    assert _code_step(client, _password_step(client), codes[0]).status_code == 200
    assert _code_step(client, _password_step(client), "9876543210").status_code == 200


def test_wrong_codes_are_limited_and_pending_sign_ins_expire(client, ana, clock, settings):
    totp, _ = _enable(client, ana, clock)
    pending = _password_step(client)
    for _ in range(settings.sign_in_limit_per_account):
        assert _code_step(client, pending, "000000").status_code == 422
    clock.now += timedelta(seconds=30)
    limited = _code_step(client, pending, totp.at(clock.now))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    clock.now += timedelta(seconds=settings.sign_in_limit_window_seconds)
    stale = _code_step(client, pending, totp.at(clock.now))
    assert stale.status_code == 422 and stale.json()["errors"][0]["pointer"] == "#/pending_token"
    assert _code_step(client, _password_step(client), totp.at(clock.now)).status_code == 200


def test_disabling_needs_the_password_or_a_code(client, ana, clock):
    totp, _ = _enable(client, ana, clock)
    clock.now += timedelta(seconds=30)
    csrf = {"X-CSRF-Token": _code_step(client, _password_step(client), totp.at(clock.now)).json()["csrf_token"]}
    disable = "/api/v1/users/me/totp/disable"
    for body, pointer in (({}, "#/password"), ({"password": "not it"}, "#/password"), ({"code": "123456"}, "#/code")):
        refused = client.post(disable, json=body, headers=csrf)
        assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == pointer
    clock.now += timedelta(seconds=30)
    assert client.post(disable, json={"code": totp.at(clock.now)}, headers=csrf).status_code == 204
    assert not client.get("/api/v1/session").json()["second_factor_enabled"]
    client.cookies.clear()
    sign_in(client, "ana@example.org")


def test_a_reset_link_does_not_get_past_the_second_factor(client, session, settings, ana, clock):
    totp, _ = _enable(client, ana, clock)
    client.cookies.clear()
    client.post("/api/v1/session/password-reset", json={"email": "ana@example.org"})
    token = emailed_link(session, settings, "ana@example.org")
    body = {"token": token, "password": "an entirely new passphrase"}
    due = client.post("/api/v1/session/password-reset/confirm", json=body)
    assert due.status_code == 202 and "set-cookie" not in due.headers
    clock.now += timedelta(seconds=30)
    assert _code_step(client, due.json()["pending_token"], totp.at(clock.now)).status_code == 200


def test_roles_held_to_a_second_factor_may_only_enrol_until_they_do(session, settings, clock):
    make_user(session, settings, "ana@example.org", role=Role.editor)
    make_user(session, settings, "cy@example.org", role=Role.contributor)
    held = settings.model_copy(update={"second_factor_roles": ["editor", "admin"]})
    with AppClient(create_app(held, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        signed = client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD})
        assert signed.status_code == 200 and signed.json()["second_factor_enrolment_due"]
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        refused = client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=csrf)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/problems/second-factor-enrolment-required")
        assert client.get("/api/v1/session/all").status_code == 403
        assert client.get("/api/v1/users/me").status_code == 200
        _enable(client, csrf, clock)
        assert client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=csrf).status_code == 201
        assert not client.get("/api/v1/session").json()["second_factor_enrolment_due"]
        client.cookies.clear()
        sign_in(client, "cy@example.org")
        assert client.get("/api/v1/session/all").status_code == 200
