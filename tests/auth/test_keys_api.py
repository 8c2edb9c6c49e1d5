from app.auth.roles import Role
from tests.factories.newsroom import make_author, make_section
from tests.factories.people import make_user, sign_in

DRAFT = {"title": "Budget vote delayed", "authors": ["alok-verma"], "section": "city"}


def _bearer(created: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['key']}"}


def test_admins_create_list_rotate_and_revoke_keys(client, session, api_key):
    admin = api_key("admin")
    response = client.post("/api/v1/keys", json={"name": "wire", "scopes": ["content:write"]}, headers=admin)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["key"].startswith("byl_") and created["owner_id"] is None
    assert client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=_bearer(created)).status_code == 201
    listed = client.get("/api/v1/keys", headers=admin).text
    assert "wire" in listed and created["key"] not in listed and "key_hash" not in listed
    taken = client.post("/api/v1/keys", json={"name": "wire", "scopes": ["admin"]}, headers=admin)
    assert taken.status_code == 409
    rotated = client.post(f"/api/v1/keys/{created['id']}/rotate", headers=admin).json()
    assert rotated["key"] != created["key"] and rotated["scopes"] == ["content:write"]
    assert client.post("/api/v1/authors", json={"name": "A"}, headers=_bearer(created)).status_code == 401
    assert client.post("/api/v1/authors", json={"name": "B"}, headers=_bearer(rotated)).status_code == 201
    assert client.delete(f"/api/v1/keys/{created['id']}", headers=admin).status_code == 204
    assert client.post("/api/v1/authors", json={"name": "C"}, headers=_bearer(rotated)).status_code == 401
    again = client.post(f"/api/v1/keys/{created['id']}/rotate", headers=admin)
    assert again.status_code == 409 and again.json()["type"].endswith("/problems/key-revoked")
    actions = [
        e["action"] for e in client.get("/api/v1/audit", params={"target_kind": "key"}, headers=admin).json()["data"]
    ]
    assert actions[:3] == ["key.revoke", "key.rotate", "key.create"]


def test_bad_keys_are_422_naming_the_field(client, api_key, editor):
    admin = api_key("admin")
    for body, pointer in (
        ({"name": "x", "scopes": ["everything"]}, "#/scopes/0"),
        ({"name": "x", "scopes": []}, "#/scopes"),
        ({"name": "x", "scopes": ["admin"], "owner_id": 999}, "#/owner_id"),
    ):
        response = client.post("/api/v1/keys", json=body, headers=admin)
        assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == pointer, body
    assert client.post("/api/v1/keys", json={"name": "x", "scopes": ["admin"]}, headers=editor).status_code == 403
    assert client.delete("/api/v1/keys/999", headers=admin).status_code == 404


def test_a_persons_key_does_no_more_than_their_role_and_dies_with_their_account(client, session, settings, api_key):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_section(session, slug="city", name="City")
    make_section(session, slug="sport", name="Sport")
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    admin = api_key("admin")
    owner = client.get("/api/v1/users", headers=admin).json()["data"][0]["id"]
    body = {"name": "cy-laptop", "scopes": ["admin", "content:write"], "owner_id": owner}
    key = _bearer(client.post("/api/v1/keys", json=body, headers=admin).json())
    assert client.get("/api/v1/keys", headers=key).status_code == 403
    assert client.post("/api/v1/articles", json=DRAFT | {"section": "sport"}, headers=key).status_code == 403
    published = client.post("/api/v1/articles", json=DRAFT | {"status": "published"}, headers=key)
    assert published.json()["type"].endswith("/problems/publishing-forbidden")
    assert client.post("/api/v1/articles", json=DRAFT, headers=key).status_code == 201
    revision = client.get("/api/v1/articles/budget-vote-delayed/revisions/1", headers=key).json()
    assert revision["actor"] == "cy-laptop" and revision["user_id"] == owner
    assert client.get("/api/v1/users/me", headers=key).json()["email"] == "cy@example.org"
    client.patch(f"/api/v1/users/{owner}", json={"is_active": False}, headers=admin)
    assert client.get("/api/v1/users/me", headers=key).status_code == 401


def test_an_admins_session_manages_keys_with_its_csrf_token(client, session, settings):
    make_user(session, settings, "root@example.org", role=Role.admin)
    csrf = sign_in(client, "root@example.org")
    body = {"name": "feed", "scopes": ["content:preview"]}
    assert client.post("/api/v1/keys", json=body).status_code == 403
    assert client.post("/api/v1/keys", json=body, headers=csrf).status_code == 201
