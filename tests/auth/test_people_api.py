from app.auth.models import User
from app.auth.roles import Role
from tests.factories.newsroom import make_section
from tests.factories.people import PASSWORD, make_user, sign_in

NEW = {"email": "Nia@Example.org", "name": "Nia Obi", "role": "contributor", "sections": ["city"], "password": PASSWORD}


def test_admins_create_list_and_read_accounts_without_any_hash(client, session, api_key):
    make_section(session, slug="city", name="City")
    admin = api_key("admin")
    created = client.post("/api/v1/users", json=NEW, headers=admin)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["email"] == "nia@example.org" and account["sections"] == ["city"] and account["is_active"]
    assert created.headers["Location"].endswith(f"/api/v1/users/{account['id']}")
    listed = client.get("/api/v1/users", headers=admin)
    assert [u["email"] for u in listed.json()["data"]] == ["nia@example.org"]
    for body in (created.text, listed.text, client.get(f"/api/v1/users/{account['id']}", headers=admin).text):
        assert "argon2" not in body and "password" not in body
    # Stored as Argon2id with its own random salt.
    assert session.get(User, account["id"]).password_hash.startswith("$argon2id$v=19$")
    session.commit()
    assert client.get("/api/v1/users/999", headers=admin).json()["type"].endswith("/problems/user-not-found")
    assert client.post("/api/v1/users", json=NEW | {"email": "nia@example.org"}, headers=admin).status_code == 409


def test_bad_accounts_are_422_naming_the_field(client, session, api_key, editor):
    admin = api_key("admin")
    for change, pointer in (
        ({"email": "nobody"}, "#/email"),
        ({"password": "short"}, "#/password"),
        ({"role": "owner"}, "#/role"),
        ({"sections": ["Not A Slug"]}, "#/sections/0"),
    ):
        response = client.post("/api/v1/users", json=NEW | change, headers=admin)
        assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == pointer, change
    unknown = client.post("/api/v1/users", json=NEW | {"sections": ["moon"]}, headers=admin)
    assert unknown.status_code == 422 and unknown.json()["section"] == "moon"
    assert unknown.json()["errors"][0]["pointer"] == "#/sections/0"
    assert client.post("/api/v1/users", json=NEW, headers=editor).status_code == 403
    assert client.get("/api/v1/users").status_code == 401


def test_role_sections_and_deactivation_take_effect_at_once(client, session, settings, api_key):
    make_section(session, slug="city", name="City")
    make_section(session, slug="sport", name="Sport")
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    admin = api_key("admin")
    csrf = sign_in(client, "cy@example.org")
    me = client.get("/api/v1/users/me").json()
    assert me["role"] == "contributor"
    changed = client.patch(
        f"/api/v1/users/{me['id']}", json={"role": "editor", "sections": ["sport"]}, headers=admin | csrf
    )
    assert changed.status_code == 200 and changed.json()["role"] == "editor"
    assert client.get("/api/v1/users/me").json()["sections"] == ["sport"]
    assert client.patch(f"/api/v1/users/{me['id']}", json={"is_active": False}, headers=admin).status_code == 200
    assert client.get("/api/v1/users/me").status_code == 401
    client.patch(f"/api/v1/users/{me['id']}", json={"is_active": True}, headers=admin)
    sign_in(client, "cy@example.org")


def test_an_admin_cannot_lock_themselves_out(client, session, settings):
    make_user(session, settings, "root@example.org", role=Role.admin)
    csrf = sign_in(client, "root@example.org")
    me = client.get("/api/v1/users/me").json()
    for change in ({"is_active": False}, {"role": "editor"}):
        refused = client.patch(f"/api/v1/users/{me['id']}", json=change, headers=csrf)
        assert refused.status_code == 409 and refused.json()["type"].endswith("/problems/self-lockout")
    assert client.patch(f"/api/v1/users/{me['id']}", json={"name": "Root"}, headers=csrf).status_code == 200


def test_guesses_of_the_current_password_are_limited_as_sign_ins_are(client, session, settings):
    make_user(session, settings, "ed@example.org")
    csrf = sign_in(client, "ed@example.org")
    guess = {"current_password": "guess", "new_password": "another long passphrase"}
    for _ in range(settings.sign_in_limit_per_account):
        assert client.put("/api/v1/users/me/password", json=guess, headers=csrf).status_code == 422
    # Refused even with the right password until the window passes, and sign-ins of the account too.
    right = guess | {"current_password": PASSWORD}
    limited = client.put("/api/v1/users/me/password", json=right, headers=csrf)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["type"].endswith("/problems/too-many-sign-ins")
    again = client.post("/api/v1/session", json={"email": "ed@example.org", "password": PASSWORD})
    assert again.status_code == 429


def test_changing_ones_password_needs_the_current_one_and_ends_other_sessions(client, session, settings):
    make_user(session, settings, "ed@example.org")
    sign_in(client, "ed@example.org")
    elsewhere = dict(client.cookies)
    client.cookies.clear()
    csrf = sign_in(client, "ed@example.org")
    new = "another long passphrase"
    wrong = client.put(
        "/api/v1/users/me/password", json={"current_password": "guess", "new_password": new}, headers=csrf
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["pointer"] == "#/current_password"
    body = {"current_password": PASSWORD, "new_password": new}
    assert client.put("/api/v1/users/me/password", json=body, headers=csrf).status_code == 204
    assert client.get("/api/v1/users/me").status_code == 200
    here = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update(elsewhere)
    assert client.get("/api/v1/users/me").status_code == 401
    client.cookies.update(here)
    sign_in(client, "ed@example.org", new)


def test_guessable_passwords_are_refused_and_long_ones_of_any_characters_taken(client, session, settings, api_key):
    make_section(session, slug="city", name="City")
    admin = api_key("admin")
    for guessable in ("qwerty123456", "passwordpassword", "aaaaaaaaaaaa", "nia@example.org1"):
        refused = client.post("/api/v1/users", json=NEW | {"password": guessable}, headers=admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "#/password", guessable
    # Spaces, any script and up to 1024 characters: nothing is trimmed, nothing asks for digits or capitals.
    long = "ночь, улица, фонарь, аптека — 夜の街灯 " * 25
    assert 64 < len(long) <= 1024
    assert client.post("/api/v1/users", json=NEW | {"password": long}, headers=admin).status_code == 201
    client.cookies.clear()
    sign_in(client, "nia@example.org", long)
    trimmed = {"email": "nia@example.org", "password": long.strip()}
    assert client.post("/api/v1/session", json=trimmed).status_code == 401
    csrf = sign_in(client, "nia@example.org", long)
    change = {"current_password": long, "new_password": "qwerty123456"}
    weak = client.put("/api/v1/users/me/password", json=change, headers=csrf)
    assert weak.status_code == 422 and weak.json()["errors"][0]["pointer"] == "#/new_password"
