from app.auth.roles import Role
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article, make_author, make_section
from tests.factories.people import make_user, sign_in
from tests.ingest.helpers import record

DRAFT = {"title": "Budget vote delayed", "authors": ["alok-verma"], "section": "city"}


def _audit(client, headers, **query) -> dict:
    response = client.get("/api/v1/audit", params=query, headers=headers)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["Cache-Control"]
    return response.json()


def test_key_writes_are_recorded_with_the_key_the_request_id_and_the_verb(client, session, api_key, editor, clock):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_section(session, slug="city", name="City")
    created = client.post("/api/v1/articles", json=DRAFT, headers=editor | {"X-Request-ID": "req-create-1"})
    assert created.status_code == 201
    client.patch("/api/v1/articles/budget-vote-delayed", json={"status": "published"}, headers=editor)
    correction = {"text": "An earlier version misnamed the council."}
    assert client.post("/api/v1/articles/budget-vote-delayed/corrections", json=correction, headers=editor).is_success
    admin = api_key("admin", name="root")
    [corrected] = _audit(client, admin, target_kind="correction")["data"]
    assert corrected["action"] == "correction.create" and corrected["actor"]["name"] == "desk-editor"
    page = _audit(client, admin, target_kind="article")
    assert [e["action"] for e in page["data"]] == ["article.publish", "article.create"]
    publish, create = page["data"]
    assert create["actor"] == {"kind": "key", "id": create["actor"]["id"], "name": "desk-editor"}
    assert create["target"]["kind"] == "article" and create["target"]["label"] == "budget-vote-delayed"
    assert publish["target"]["id"] == create["target"]["id"]
    assert create["request_id"] == "req-create-1" and create["at"].startswith(clock.now.date().isoformat())
    # Without an id from the caller, the one the access log made and sent back.
    assert publish["request_id"] and publish["request_id"] != "req-create-1"
    only = _audit(client, admin, action="article.create", actor_kind="key", actor_id=create["actor"]["id"])
    assert _audit(client, admin, target_kind="article", target_id=create["target"]["id"])["meta"]["total"] == 2
    assert [e["id"] for e in only["data"]] == [create["id"]] and only["meta"]["total"] == 1
    assert _audit(client, admin, until=clock.now.isoformat())["data"] == []


def test_a_persons_writes_name_them_in_the_log_and_in_revisions(client, session, settings, api_key):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_section(session, slug="city", name="City")
    make_user(session, settings, "ed@example.org", role=Role.editor)
    csrf = sign_in(client, "ed@example.org")
    me = client.get("/api/v1/users/me").json()
    assert client.post("/api/v1/articles", json=DRAFT, headers=csrf).status_code == 201
    client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=csrf)
    revision = client.get("/api/v1/articles/budget-vote-delayed/revisions/1").json()
    assert revision["actor"] == "ed@example.org" and revision["user_id"] == me["id"]
    client.cookies.clear()
    entries = _audit(client, api_key("admin"), actor_kind="user", actor_id=me["id"])["data"]
    assert [(e["action"], e["target"]["label"]) for e in entries] == [
        ("author.create", "mira-holt"),
        ("article.create", "budget-vote-delayed"),
        ("user.sign_in", "ed@example.org"),
    ]


def test_the_log_walks_by_cursor_and_is_for_admins_only(client, session, api_key, editor):
    for name in ("One", "Two", "Three"):
        assert client.post("/api/v1/authors", json={"name": name}, headers=editor).status_code == 201
    admin = api_key("admin")
    first = _audit(client, admin, limit=2)
    second = client.get(first["links"]["next"], headers=admin).json()
    labels = [e["target"]["label"] for e in first["data"] + second["data"]]
    assert labels == ["three", "two", "one"] and second["meta"]["next_cursor"] is None
    assert client.get("/api/v1/audit", headers=editor).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
    bad = client.get("/api/v1/audit", params={"action": "DROP TABLE"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "action"


def test_a_refused_write_leaves_no_entry(client, session, api_key, editor):
    client.post("/api/v1/authors", json={"name": "Mira Holt"}, headers=editor)
    assert (
        client.post("/api/v1/authors", json={"name": "Mira Holt", "slug": "mira-holt"}, headers=editor).status_code
        == 409
    )
    assert _audit(client, api_key("admin"))["meta"]["total"] == 1


def test_bulk_ingest_records_each_article_it_creates(client, api_key, editor):
    answer = client.post("/api/v1/ingest", json=[record(1), record(2)], headers=editor)
    assert answer.status_code == 200, answer.text
    entries = _audit(client, api_key("admin"), action="article.create")["data"]
    assert sorted(e["target"]["label"] for e in entries) == ["harbour-story-number-1", "harbour-story-number-2"]
    assert {e["actor"]["name"] for e in entries} == {"desk-editor"}


def test_moderation_is_recorded_and_a_readers_comment_is_not(client, session, api_key):
    moderator = api_key("comments:moderate", name="night-moderator")
    article = make_article(session)
    comment_id = reply(client, article.slug, author_name="Jo").json()["id"]
    approve(client, moderator, comment_id)
    [entry] = _audit(client, api_key("admin"), target_kind="comment")["data"]
    assert (entry["action"], entry["actor"]["name"], entry["target"]["id"]) == (
        "comment.approve",
        "night-moderator",
        comment_id,
    )


def test_sign_ins_and_sign_outs_are_recorded_but_never_what_was_typed(client, session, settings, api_key):
    make_user(session, settings, "ed@example.org", role=Role.editor)
    for email, password in (("ed@example.org", "hunter2-guess"), ("typo@example.org", "hunter2-guess")):
        assert client.post("/api/v1/session", json={"email": email, "password": password}).status_code == 401
    csrf = sign_in(client, "ed@example.org")
    assert client.delete("/api/v1/session", headers=csrf).status_code == 204
    log = _audit(client, api_key("admin"), target_kind="user")
    assert [(e["action"], e["actor"]["name"], e["target"]["label"]) for e in log["data"]] == [
        ("user.sign_out", "ed@example.org", "ed@example.org"),
        ("user.sign_in", "ed@example.org", "ed@example.org"),
        ("user.sign_in_fail", "anonymous", "an unknown email"),
        ("user.sign_in_fail", "anonymous", "ed@example.org"),
    ]
    assert "hunter2" not in str(log) and "typo" not in str(log)
