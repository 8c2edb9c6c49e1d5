"""Corrections: added, edited and removed like any other article write, and never dated before publication."""

from datetime import datetime, timedelta

from sqlmodel import col, select

from app.outbox.models import OutboxEvent
from tests.factories.newsroom import make_article


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _only_correction(client, slug: str, headers: dict) -> dict:
    [correction] = client.get(f"/api/v1/articles/{slug}", headers=headers).json()["corrections"]
    return correction


def test_an_edited_correction_shows_its_new_text_and_keeps_its_date(client, session, editor, clock):
    article = make_article(session, now=clock.now)
    path = f"/api/v1/articles/{article.slug}"
    added = client.post(f"{path}/corrections", json={"text": "The vote was 5-4."}, headers=editor).json()
    [correction] = added["corrections"]
    clock.now += timedelta(hours=1)
    edited = client.patch(f"{path}/corrections/{correction['id']}", json={"text": "The vote was 5-3."}, headers=editor)
    assert edited.status_code == 200
    assert edited.json()["corrections"] == [correction | {"text": "The vote was 5-3."}]
    assert client.get(path).json()["corrections"] == [correction | {"text": "The vote was 5-3."}]


def test_a_correction_can_be_redated(client, session, editor):
    article = make_article(session)
    correction = client.post(
        f"/api/v1/articles/{article.slug}/corrections", json={"text": "Misnamed the mayor."}, headers=editor
    ).json()["corrections"][0]
    redated = client.patch(
        f"/api/v1/articles/{article.slug}/corrections/{correction['id']}",
        json={"published_at": "2025-05-20T09:30:00Z"},
        headers=editor,
    )
    assert [(c["text"], _at(c["published_at"])) for c in redated.json()["corrections"]] == [
        ("Misnamed the mayor.", _at("2025-05-20T09:30:00Z"))
    ]


def test_a_removed_correction_disappears_from_the_public_article(client, session, editor):
    article = make_article(
        session,
        corrections=[
            {"text": "The date was wrong.", "published_at": "2025-05-02T10:00:00Z"},
            {"text": "The mayor's name was misspelt.", "published_at": "2025-05-03T10:00:00Z"},
        ],
    )
    path = f"/api/v1/articles/{article.slug}"
    shown = client.get(path).json()
    assert [c["text"] for c in shown["corrections"]] == ["The date was wrong.", "The mayor's name was misspelt."]
    removed = client.delete(f"{path}/corrections/{shown['corrections'][0]['id']}", headers=editor)
    assert removed.status_code == 200
    public = client.get(path).json()
    assert [c["text"] for c in public["corrections"]] == ["The mayor's name was misspelt."]
    assert [c["text"] for c in public["structured_data"]["correction"]] == ["The mayor's name was misspelt."]


def test_an_unknown_correction_is_a_404_problem(client, session, editor):
    article = make_article(session)
    other = make_article(session, corrections=[{"text": "Belongs to another story."}])
    elsewhere = _only_correction(client, other.slug, editor)["id"]
    for missing in (elsewhere, 999_999):
        url = f"/api/v1/articles/{article.slug}/corrections/{missing}"
        for answer in (
            client.patch(url, json={"text": "Changed."}, headers=editor),
            client.delete(url, headers=editor),
        ):
            assert answer.status_code == 404
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"].endswith("/problems/correction-not-found")
    assert _only_correction(client, other.slug, editor)["text"] == "Belongs to another story."


def test_a_correction_edit_naming_a_bad_field_is_a_422_problem(client, session, editor):
    article = make_article(session, corrections=[{"text": "A date was wrong."}])
    url = f"/api/v1/articles/{article.slug}/corrections/{_only_correction(client, article.slug, editor)['id']}"
    for body, pointer in (({"text": ""}, "#/text"), ({"published_at": None}, "#/published_at")):
        answer = client.patch(url, json=body, headers=editor)
        assert answer.status_code == 422
        assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]


def test_editing_and_removing_corrections_need_a_writing_key(client, session, api_key):
    article = make_article(session, corrections=[{"text": "A date was wrong."}])
    preview = api_key("content:preview")
    url = f"/api/v1/articles/{article.slug}/corrections/{_only_correction(client, article.slug, preview)['id']}"
    assert client.patch(url, json={"text": "Changed."}).status_code == 401
    assert client.delete(url).status_code == 401
    assert client.patch(url, json={"text": "Changed."}, headers=preview).status_code == 403
    assert client.delete(url, headers=preview).status_code == 403
    assert _only_correction(client, article.slug, preview)["text"] == "A date was wrong."


def test_a_stale_if_match_is_refused_for_correction_edits_and_removals(client, session, editor):
    article = make_article(session, corrections=[{"text": "A date was wrong."}])
    path = f"/api/v1/articles/{article.slug}"
    read = client.get(path, headers=editor)
    etag, url = read.headers["ETag"], f"{path}/corrections/{read.json()['corrections'][0]['id']}"
    client.patch(path, json={"subtitle": "Someone else's edit"}, headers=editor)
    stale = editor | {"If-Match": etag}
    for answer in (client.patch(url, json={"text": "Mine."}, headers=stale), client.delete(url, headers=stale)):
        assert answer.status_code == 412
        assert answer.json()["type"].endswith("/problems/precondition-failed")
    assert _only_correction(client, article.slug, editor)["text"] == "A date was wrong."
    current = client.get(path, headers=editor).headers["ETag"]
    edited = client.patch(url, json={"text": "Mine."}, headers=editor | {"If-Match": current})
    assert edited.status_code == 200 and edited.headers["ETag"] != current
    removed = client.delete(url, headers=editor | {"If-Match": edited.headers["ETag"]})
    assert removed.status_code == 200 and removed.json()["corrections"] == []


def test_adding_editing_and_removing_a_correction_are_revisions_naming_who_and_when(client, session, api_key, clock):
    article = make_article(session, now=clock.now)
    desk = api_key("content:write", name="night-desk")
    path = f"/api/v1/articles/{article.slug}"
    clock.now += timedelta(hours=1)
    added_at = clock.now
    [correction] = client.post(f"{path}/corrections", json={"text": "The vote was 5-4."}, headers=desk).json()[
        "corrections"
    ]
    clock.now += timedelta(hours=1)
    client.patch(f"{path}/corrections/{correction['id']}", json={"text": "The vote was 5-3."}, headers=desk)
    clock.now += timedelta(hours=1)
    client.delete(f"{path}/corrections/{correction['id']}", headers=desk)
    revisions = client.get(f"{path}/revisions", headers=desk).json()["data"]
    assert [(r["number"], r["actor"], r["changed_fields"]) for r in revisions[:3]] == [
        (n, "night-desk", ["corrections"]) for n in (4, 3, 2)
    ]
    assert [_at(r["created_at"]) for r in revisions[:3]] == [added_at + timedelta(hours=n) for n in (2, 1, 0)]
    stored_at = added_at.isoformat()
    was, became = ([{"text": text, "published_at": stored_at}] for text in ("The vote was 5-4.", "The vote was 5-3."))
    changes = [client.get(f"{path}/revisions/{n}", headers=desk).json()["changes"] for n in (2, 3, 4)]
    assert changes == [
        {"corrections": {"from": [], "to": was}},
        {"corrections": {"from": was, "to": became}},
        {"corrections": {"from": became, "to": []}},
    ]


def test_a_correction_edit_that_changes_nothing_is_no_revision(client, session, editor, clock):
    article = make_article(session, corrections=[{"text": "A date was wrong."}], now=clock.now)
    path = f"/api/v1/articles/{article.slug}"
    before = client.get(path, headers=editor)
    clock.now += timedelta(hours=1)
    url = f"{path}/corrections/{before.json()['corrections'][0]['id']}"
    again = client.patch(url, json={"text": "A date was wrong."}, headers=editor)
    assert again.status_code == 200
    after = client.get(path, headers=editor)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json()["updated_at"] == before.json()["updated_at"]
    assert len(client.get(f"{path}/revisions", headers=editor).json()["data"]) == 1


def test_correction_writes_reach_sync_clients_and_webhooks(client, session, editor, clock):
    slug = make_article(session, corrections=[{"text": "A date was wrong."}], now=clock.now).slug
    url = f"/api/v1/articles/{slug}/corrections/{_only_correction(client, slug, editor)['id']}"
    for write in (
        lambda: client.patch(url, json={"text": "A name was wrong."}, headers=editor),
        lambda: client.delete(url, headers=editor),
    ):
        clock.now += timedelta(hours=1)
        assert write().status_code == 200
        since = {"updated_since": clock.now.isoformat()}
        assert [a["slug"] for a in client.get("/api/v1/articles", params=since).json()["data"]] == [slug]
        session.expire_all()
        updates = session.exec(
            select(OutboxEvent.payload).where(OutboxEvent.topic == "article.updated").order_by(col(OutboxEvent.id))
        ).all()
        session.rollback()  # a read must not hold SQLite's write lock against the API
        assert updates[-1]["slug"] == slug
        assert _at(updates[-1]["updated_at"]) == clock.now


def test_a_correction_added_to_a_draft_is_dated_when_the_article_goes_live(client, session, editor, clock):
    draft = make_article(session, status="draft", published_at=None, now=clock.now)
    path = f"/api/v1/articles/{draft.slug}"
    added = client.post(f"{path}/corrections", json={"text": "The vote was 5-4."}, headers=editor)
    assert added.status_code == 201
    clock.now += timedelta(days=2)
    client.post(f"{path}/publish", headers=editor)
    public = client.get(path).json()
    assert _at(public["published_at"]) == clock.now
    assert [_at(c["published_at"]) for c in public["corrections"]] == [clock.now]
    assert [_at(c["datePublished"]) for c in public["structured_data"]["correction"]] == [clock.now]


def test_a_correction_to_a_scheduled_article_is_never_dated_before_it_goes_live(client, session, editor, clock):
    goes_live = clock.now + timedelta(hours=3)
    article = make_article(session, status="scheduled", published_at=goes_live, now=clock.now)
    path = f"/api/v1/articles/{article.slug}"
    client.post(f"{path}/corrections", json={"text": "The vote was 5-4."}, headers=editor)
    clock.now = goes_live + timedelta(minutes=5)
    assert [_at(c["published_at"]) for c in client.get(path).json()["corrections"]] == [goes_live]


def test_a_correction_to_a_live_article_keeps_its_own_date(client, session, editor, clock):
    article = make_article(session, now=clock.now)
    clock.now += timedelta(days=1)
    [correction] = client.post(
        f"/api/v1/articles/{article.slug}/corrections", json={"text": "The vote was 5-4."}, headers=editor
    ).json()["corrections"]
    assert _at(correction["published_at"]) == clock.now
