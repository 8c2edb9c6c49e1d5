from datetime import timedelta

from app.auth.roles import Role
from tests.factories.newsroom import make_section
from tests.factories.people import PASSWORD, audit_actions, emailed_link, make_user, sign_in

INVITE = {"email": "Nia@Example.org", "name": "Nia Obi", "role": "editor", "sections": ["city"]}


def _invite(client, admin, **change):
    response = client.post("/api/v1/users/invites", json=INVITE | change, headers=admin)
    assert response.status_code == 202, response.text
    return response.json()


def test_an_invited_person_chooses_a_password_and_is_signed_in(client, session, settings, api_key):
    make_section(session, slug="city", name="City")
    admin = api_key("admin", name="people-desk")
    account = _invite(client, admin)
    assert account["email"] == "nia@example.org" and account["invited"] and not account["is_active"]
    # Nobody signs in to a waiting account, whatever they try.
    for password in ("", "no account has this password"):
        refused = client.post("/api/v1/session", json={"email": "nia@example.org", "password": password or "x"})
        assert refused.status_code == 401
    token = emailed_link(session, settings, "nia@example.org")
    body = {"token": token, "password": PASSWORD, "name": "Nia A. Obi"}
    accepted = client.post("/api/v1/users/invites/accept", json=body)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["user"]["name"] == "Nia A. Obi" and "HttpOnly" in accepted.headers["set-cookie"]
    me = client.get("/api/v1/users/me").json()
    assert me["is_active"] and not me["invited"] and me["sections"] == ["city"]
    again = client.post("/api/v1/users/invites/accept", json={"token": token, "password": PASSWORD})
    assert again.status_code == 422 and again.json()["errors"][0]["pointer"] == "#/token"
    assert again.json()["type"].endswith("/problems/link-invalid")
    assert audit_actions(client, admin, target_kind="user") == [
        ("user.sign_in", "nia@example.org", "nia@example.org"),
        ("user.invite_accept", "nia@example.org", "nia@example.org"),
        ("user.sign_in_fail", "anonymous", "nia@example.org"),
        ("user.sign_in_fail", "anonymous", "nia@example.org"),
        ("user.invite", "people-desk", "nia@example.org"),
        ("user.create", "people-desk", "nia@example.org"),
    ]


def test_a_new_invitation_voids_the_last_and_links_expire(client, session, settings, api_key, clock):
    admin = api_key("admin")
    _invite(client, admin, sections=[])
    first = emailed_link(session, settings, "nia@example.org")
    assert _invite(client, admin, sections=[], role="contributor")["role"] == "contributor"
    second = emailed_link(session, settings, "nia@example.org")
    body = {"password": PASSWORD}
    assert client.post("/api/v1/users/invites/accept", json=body | {"token": first}).status_code == 422
    clock.now += timedelta(hours=settings.invite_hours, seconds=1)
    assert client.post("/api/v1/users/invites/accept", json=body | {"token": second}).status_code == 422


def test_deactivating_someone_invited_withdraws_the_invitation(client, session, settings, api_key):
    admin = api_key("admin")
    account = _invite(client, admin, sections=[])
    token = emailed_link(session, settings, "nia@example.org")
    assert client.patch(f"/api/v1/users/{account['id']}", json={"is_active": False}, headers=admin).status_code == 200
    accepted = client.post("/api/v1/users/invites/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 422 and accepted.json()["type"].endswith("/problems/link-invalid")


def test_inviting_someone_who_signs_in_already_is_a_conflict(client, session, settings, api_key, editor):
    make_user(session, settings, "ana@example.org", role=Role.editor)
    admin = api_key("admin")
    taken = client.post(
        "/api/v1/users/invites", json=INVITE | {"email": "ana@example.org", "sections": []}, headers=admin
    )
    assert taken.status_code == 409 and taken.json()["type"].endswith("/problems/account-active")
    assert client.post("/api/v1/users/invites", json=INVITE, headers=editor).status_code == 403
    for change, pointer in (({"role": "owner"}, "#/role"), ({"email": "nobody"}, "#/email")):
        bad = client.post("/api/v1/users/invites", json=INVITE | change, headers=admin)
        assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == pointer
    short = client.post("/api/v1/users/invites/accept", json={"token": "x", "password": "short"})
    assert short.status_code == 422 and short.json()["errors"][0]["pointer"] == "#/password"
    sign_in(client, "ana@example.org")
