from datetime import timedelta

from sqlmodel import select

from app.auth.models import ApiKey, Scope
from app.auth.service import find_active_key, issue_key, revoke_key
from tests.conftest import TEST_SECRET

NEW_AUTHOR = {"name": "Mira Holt"}


def test_key_is_stored_only_as_a_hash(session, clock):
    key, plain = issue_key(session, secret_key=TEST_SECRET, name="wire", scopes=[Scope.content_write], now=clock.now)
    stored = session.exec(select(ApiKey).where(ApiKey.id == key.id)).one()
    assert plain.startswith("byl_") and len(plain) > 40
    assert plain not in stored.key_hash


def test_a_stolen_key_table_is_useless_without_the_secret(session, clock):
    _, plain = issue_key(session, secret_key=TEST_SECRET, name="wire", scopes=[Scope.content_write], now=clock.now)
    assert find_active_key(session.connection(), secret_key=TEST_SECRET, presented=plain, now=clock.now) is not None
    another = "another-secret-of-enough-length"
    assert find_active_key(session.connection(), secret_key=another, presented=plain, now=clock.now) is None


def test_missing_key_is_401_with_bearer_challenge(client):
    response = client.post("/api/v1/authors", json=NEW_AUTHOR)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/problems/not-authenticated")


def test_unknown_key_is_401(client):
    response = client.post("/api/v1/authors", json=NEW_AUTHOR, headers={"Authorization": "Bearer byl_forged"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_other_authorization_schemes_are_401(client):
    response = client.get("/api/v1/articles", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_key_without_the_scope_is_403(client, api_key):
    response = client.post("/api/v1/authors", json=NEW_AUTHOR, headers=api_key("content:preview"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/problems/missing-scope")


def test_admin_key_holds_every_scope(client, api_key):
    assert client.post("/api/v1/authors", json=NEW_AUTHOR, headers=api_key("admin")).status_code == 201


def test_expired_key_is_refused(client, api_key, clock):
    headers = api_key("content:write", expires_at=clock.now + timedelta(hours=1))
    assert client.post("/api/v1/authors", json=NEW_AUTHOR, headers=headers).status_code == 201
    clock.now += timedelta(hours=1)
    assert client.post("/api/v1/authors", json={"name": "Other"}, headers=headers).status_code == 401


def test_revoked_key_is_refused_at_once(client, api_key, session, clock):
    headers = api_key("content:write", name="leaked")
    revoke_key(session, "leaked", now=clock.now)
    assert client.post("/api/v1/authors", json=NEW_AUTHOR, headers=headers).status_code == 401


def test_key_records_when_it_was_last_used(client, api_key, session, clock):
    headers = api_key("content:write", name="ingest")
    client.post("/api/v1/authors", json=NEW_AUTHOR, headers=headers)
    session.expire_all()
    assert session.exec(select(ApiKey.last_used_at).where(ApiKey.name == "ingest")).one() == clock.now
