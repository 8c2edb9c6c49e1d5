from datetime import timedelta

from pydantic import AnyHttpUrl
from sqlalchemy import Engine, event
from sqlmodel import col, select, update

from app.auth.models import ApiKey, FailedSignIn, Scope, UserSession
from app.auth.roles import Role
from app.auth.service import find_active_key, issue_key
from app.auth.sessions import find_session, idle_limit, open_session
from app.auth.users import deactivate_user, find_user
from app.main import create_app
from tests.app_client import AppClient
from tests.conftest import PROXY_ADDRESS, counting_queries
from tests.factories.newsroom import make_author
from tests.factories.people import PASSWORD, make_user, sign_in

DRAFT = {"title": "Budget vote delayed", "authors": ["alok-verma"]}


def test_sign_in_sets_a_private_cookie_and_says_who_is_signed_in(client, session, settings):
    make_user(session, settings, "Ana@Example.org")
    response = client.post("/api/v1/session", json={"email": "ana@example.ORG", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert response.headers["cache-control"] == "no-store"
    who = client.get("/api/v1/session").json()
    assert who["user"] == {"email": "ana@example.org", "name": "Ana", "role": "editor", "sections": []}
    assert who["csrf_token"] == response.json()["csrf_token"]
    # 256 random bits, of which only a hash is stored.
    token = client.cookies["byline_session"]
    assert len(token) == 43
    assert token not in {row.token_hash for row in session.exec(select(UserSession)).all()}


def test_cookie_is_secure_and_host_only_when_the_public_url_is_https(session, settings, clock):
    make_user(session, settings, "ana@example.org")
    https = settings.model_copy(update={"public_url": AnyHttpUrl("https://news.example")})
    app = create_app(https, clock=clock)
    with AppClient(app, base_url="https://news.example", client=(PROXY_ADDRESS, 50000)) as client:
        response = client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD})
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-byline_session=") and "Secure" in cookie and "Path=/" in cookie
        assert "domain" not in cookie.lower()
        assert client.get("/api/v1/session").status_code == 200
        # The unprefixed name, as a sibling subdomain could plant it, is not read.
        token = client.cookies["__Host-byline_session"]
        client.cookies.clear()
        client.cookies.set("byline_session", token)
        assert client.get("/api/v1/session").status_code == 401
        client.cookies.clear()
        client.cookies.set("__Host-byline_session", token)
        signed_out = client.delete("/api/v1/session", headers={"X-CSRF-Token": response.json()["csrf_token"]})
        assert signed_out.status_code == 204 and signed_out.headers["set-cookie"].startswith(
            '__Host-byline_session="";'
        )
        assert "Secure" in signed_out.headers["set-cookie"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session, settings):
    make_user(session, settings, "ana@example.org")
    wrong = client.post("/api/v1/session", json={"email": "ana@example.org", "password": "not it"})
    unknown = client.post("/api/v1/session", json={"email": "nobody@example.org", "password": "not it"})
    assert wrong.status_code == unknown.status_code == 401
    assert {k: v for k, v in wrong.json().items()} == {k: v for k, v in unknown.json().items()}
    assert "set-cookie" not in wrong.headers
    assert len(session.exec(select(FailedSignIn)).all()) == 2


def test_cookie_writes_need_the_csrf_token_and_revisions_name_the_person(client, session, settings):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_user(session, settings, "ana@example.org")
    csrf = sign_in(client, "ana@example.org")
    refused = client.post("/api/v1/articles", json=DRAFT)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/problems/csrf-token-missing")
    forged = client.post("/api/v1/articles", json=DRAFT, headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    created = client.post("/api/v1/articles", json=DRAFT, headers=csrf)
    assert created.status_code == 201
    revisions = client.get(f"/api/v1/articles/{created.json()['slug']}/revisions").json()["data"]
    assert [revision["actor"] for revision in revisions] == ["ana@example.org"]


def test_failed_sign_ins_are_limited_per_account(client, session, settings):
    make_user(session, settings, "ana@example.org")
    for _ in range(settings.sign_in_limit_per_account):
        client.post("/api/v1/session", json={"email": "ana@example.org", "password": "guess"})
    # Refused even with the right password until the window passes.
    limited = client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["type"].endswith("/problems/too-many-sign-ins")


def test_failed_sign_ins_are_limited_per_network(session, settings, clock):
    make_user(session, settings, "ana@example.org")
    strict = settings.model_copy(update={"sign_in_limit_per_network": 2})
    with AppClient(create_app(strict, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        for guess in ("a@example.org", "b@example.org"):
            client.post(
                "/api/v1/session", json={"email": guess, "password": "x"}, headers={"X-Forwarded-For": "203.0.113.5"}
            )
        near = {"X-Forwarded-For": "203.0.113.77"}
        far = {"X-Forwarded-For": "198.51.100.7"}
        body = {"email": "ana@example.org", "password": PASSWORD}
        assert client.post("/api/v1/session", json=body, headers=near).status_code == 429
        assert client.post("/api/v1/session", json=body, headers=far).status_code == 200


def test_sessions_are_listed_and_revoked_and_sign_out_ends_one(client, session, settings):
    make_user(session, settings, "ana@example.org")
    sign_in(client, "ana@example.org")
    first = client.get("/api/v1/session").json()["session_id"]
    csrf = sign_in(client, "ana@example.org")
    listed = client.get("/api/v1/session/all").json()
    assert [(s["id"] == first, s["current"]) for s in listed] == [(False, True), (True, False)]
    assert client.delete(f"/api/v1/session/{first}").status_code == 403
    assert client.delete(f"/api/v1/session/{first}", headers=csrf).status_code == 204
    assert len(client.get("/api/v1/session/all").json()) == 1
    assert client.delete("/api/v1/session", headers=csrf).status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_another_persons_session_cannot_be_revoked(client, session, settings):
    make_user(session, settings, "ana@example.org")
    make_user(session, settings, "ben@example.org")
    sign_in(client, "ben@example.org")
    bens = client.get("/api/v1/session").json()["session_id"]
    client.cookies.clear()
    csrf = sign_in(client, "ana@example.org")
    response = client.delete(f"/api/v1/session/{bens}", headers=csrf)
    assert response.status_code == 404 and response.json()["type"].endswith("/problems/session-not-found")


def test_deactivated_person_loses_sessions_and_cannot_sign_in(client, session, settings, clock):
    make_user(session, settings, "ana@example.org", role=Role.moderator)
    sign_in(client, "ana@example.org")
    deactivate_user(session, "ANA@example.org", now=clock.now)
    assert client.get("/api/v1/session").status_code == 401
    again = client.post("/api/v1/session", json={"email": "ana@example.org", "password": PASSWORD})
    assert again.status_code == 401 and again.json()["type"].endswith("/problems/sign-in-failed")


def test_an_api_key_is_not_a_session(client, editor):
    assert client.get("/api/v1/session", headers=editor).status_code == 401


def test_a_session_ends_when_unused_for_the_idle_time_and_at_its_absolute_end(client, session, settings, clock):
    make_user(session, settings, "ana@example.org")
    sign_in(client, "ana@example.org")
    signed_in_at, idle = clock.now, timedelta(minutes=settings.session_idle_minutes)
    # Used within the idle time each time, it lasts until its absolute end, and not a minute more.
    while clock.now + idle < signed_in_at + timedelta(hours=settings.session_hours):
        clock.now += idle - timedelta(minutes=1)
        assert client.get("/api/v1/session").status_code == 200
    [listed] = client.get("/api/v1/session/all").json()
    assert listed["last_seen_at"] == clock.now.isoformat().replace("+00:00", "Z")
    clock.now = signed_in_at + timedelta(hours=settings.session_hours)
    assert client.get("/api/v1/session").status_code == 401
    sign_in(client, "ana@example.org")
    clock.now += idle
    assert client.get("/api/v1/session").status_code == 401
    # No longer listed among the live sessions either.
    client.cookies.clear()
    sign_in(client, "ana@example.org")
    assert len(client.get("/api/v1/session/all").json()) == 1


def test_a_key_and_a_session_are_each_checked_in_one_statement(session, engine, settings, clock):
    # Every keyed or signed-in request makes these checks: the account comes with the key, and the
    # second factor with the session, in the same statement.
    make_user(session, settings, "ana@example.org", role=Role.editor)
    ana = find_user(session, "ana@example.org")
    secret = settings.secret_key.get_secret_value()
    _, plain = issue_key(session, secret_key=secret, name="ana's", scopes=[Scope.content_write], now=clock.now)
    session.exec(update(ApiKey).where(col(ApiKey.name) == "ana's").values(owner_id=ana.id))
    signed = open_session(session, ana, user_agent="test", settings=settings, now=clock.now)
    with engine.connect() as connection, counting_queries(engine) as statements:
        key, owner = find_active_key(connection, secret_key=secret, presented=plain, now=clock.now)
        live = find_session(connection, secret_key=secret, token=signed.token, now=clock.now, idle=idle_limit(settings))
    assert len(statements) == 2
    assert key.name == "ana's" and owner is not None and owner.email == "ana@example.org"
    assert live is not None and live.user.email == "ana@example.org"
    assert live.enrolment_due(["editor"]) and not live.enrolment_due(["admin"])


def test_a_signed_in_write_checks_its_session_once(client, session, settings):
    # The body limit asks who is calling before the body is read; the route takes that answer.
    make_user(session, settings, "ana@example.org")
    csrf = sign_in(client, "ana@example.org")
    checks = []

    def record(connection, cursor, statement, *args) -> None:
        if "FROM user_session" in statement:
            checks.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        created = client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=csrf)
        refused = client.post("/api/v1/authors", json={"name": "Sol Park"})
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert created.status_code == 201 and refused.status_code == 403
    assert len(checks) == 2
