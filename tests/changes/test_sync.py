"""A client keeping an offline copy through the change feed alone ends up with exactly what the
public API shows, through every kind of write and through articles going live by themselves."""

from datetime import timedelta

import pytest

from tests.changes.helpers import OfflineCopy, live_articles
from tests.factories.newsroom import make_author
from tests.ingest.helpers import record, send


@pytest.fixture
def admin(api_key) -> dict[str, str]:
    return api_key("admin")


def _create(client, admin, author: str, title: str, **fields) -> str:
    body = {"title": title, "authors": [author], "body": [{"type": "paragraph", "text": f"{title}, in full."}]}
    answer = client.post("/api/v1/articles", json=body | fields, headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json()["slug"]


def _step(client, copy: OfflineCopy, *hidden: str) -> list[tuple[str, str]]:
    """Sync, check the copy is the live API, and that no hidden slug was named."""
    entries = copy.sync(client)
    assert copy.articles == live_articles(client)
    named = {entry["slug"] for entry in entries} | {entry["former_slug"] for entry in entries}
    assert not named & set(hidden)
    return [(entry["kind"], entry["slug"]) for entry in entries]


def test_offline_copy_follows_the_public_api_through_every_change(client, session, admin, clock):
    author = make_author(session).slug
    session.rollback()
    first = _create(client, admin, author, "Harbour reopens", status="published")
    second = _create(client, admin, author, "Storm closes roads", status="published")
    third = _create(client, admin, author, "Council meets", status="published")
    draft = _create(client, admin, author, "Secret merger talks")

    copy = OfflineCopy()
    # From nothing: each public article once, no tombstones.
    assert sorted(_step(client, copy, draft)) == sorted(("upsert", slug) for slug in (first, second, third))
    assert _step(client, copy) == []

    client.patch(f"/api/v1/articles/{first}", json={"title": "Harbour reopens at last"}, headers=admin)
    assert _step(client, copy, draft) == [("upsert", first)]

    client.patch(f"/api/v1/articles/{second}", json={"slug": "roads-closed"}, headers=admin)
    renamed = _step(client, copy, draft)
    assert sorted(renamed) == [("tombstone", second), ("upsert", "roads-closed")]
    assert copy.seen[-1]["former_slug"] == second or copy.seen[-2]["former_slug"] == second

    client.post(f"/api/v1/articles/{third}/unpublish", headers=admin)
    assert _step(client, copy, draft) == [("tombstone", third)]

    client.patch(f"/api/v1/articles/{first}", json={"status": "archived"}, headers=admin)
    assert _step(client, copy, draft) == [("tombstone", first)]

    client.delete("/api/v1/articles/roads-closed", headers=admin)
    assert _step(client, copy, draft) == [("tombstone", "roads-closed")]

    # Never public: its edits, rename and deletion tell readers nothing.
    client.patch(f"/api/v1/articles/{draft}", json={"title": "Merger off", "slug": "merger-off"}, headers=admin)
    client.delete("/api/v1/articles/merger-off", headers=admin)
    assert _step(client, copy, draft, "merger-off") == []

    scheduled = _create(
        client,
        admin,
        author,
        "Budget day",
        status="scheduled",
        published_at=(clock.now + timedelta(hours=1)).isoformat(),
    )
    embargoed = _create(
        client,
        admin,
        author,
        "Study results",
        status="published",
        embargo_until=(clock.now + timedelta(hours=2)).isoformat(),
    )
    client.patch(f"/api/v1/articles/{scheduled}", json={"subtitle": "Numbers at noon"}, headers=admin)
    assert _step(client, copy, scheduled, embargoed) == []

    clock.now += timedelta(hours=1, minutes=1)
    assert _step(client, copy, embargoed) == [("upsert", scheduled)]
    clock.now += timedelta(hours=1)
    assert _step(client, copy) == [("upsert", embargoed)]

    client.post(f"/api/v1/articles/{third}/publish", headers=admin)
    client.post(f"/api/v1/articles/{scheduled}/corrections", json={"text": "Noon, not ten."}, headers=admin)
    assert sorted(_step(client, copy)) == sorted([("upsert", third), ("upsert", scheduled)])

    # A byline changes the JSON of every article that shows it.
    client.patch(f"/api/v1/authors/{author}", json={"name": "A. Reporter"}, headers=admin)
    assert sorted(_step(client, copy)) == sorted(("upsert", slug) for slug in (third, scheduled, embargoed))

    # Back behind a schedule, then live again by itself; a former slug taken back.
    later = (clock.now + timedelta(minutes=30)).isoformat()
    client.post(f"/api/v1/articles/{third}/publish", json={"published_at": later}, headers=admin)
    assert _step(client, copy) == [("tombstone", third)]
    clock.now += timedelta(minutes=31)
    assert _step(client, copy) == [("upsert", third)]
    client.patch(f"/api/v1/articles/{embargoed}", json={"slug": "study-out"}, headers=admin)
    client.patch("/api/v1/articles/study-out", json={"slug": embargoed}, headers=admin)
    assert sorted(_step(client, copy)) == [("tombstone", "study-out"), ("upsert", embargoed)]

    # A revision restored brings the archived article's first words back; it stays archived.
    client.post(f"/api/v1/articles/{first}/revisions/1/restore", headers=admin)
    assert _step(client, copy) == []
    client.post(f"/api/v1/articles/{first}/publish", headers=admin)
    assert _step(client, copy) == [("upsert", first)]
    assert copy.articles[first]["title"] == "Harbour reopens"

    # A second client starting now gets each public article once and nothing else.
    fresh = OfflineCopy()
    entries = fresh.sync(client, limit=2)
    assert sorted(entry["slug"] for entry in entries) == sorted(copy.articles)
    assert {entry["kind"] for entry in entries} == {"upsert"}
    assert fresh.articles == copy.articles


def test_offline_copy_follows_articles_written_through_ingest(client, admin, clock):
    copy = OfflineCopy()
    assert _step(client, copy) == []
    later = (clock.now + timedelta(hours=1)).isoformat()
    batch = [record(1), record(2), record(3, status="draft"), record(4, published_at=later)]
    assert send(client, admin, *batch).json()["created"] == 4
    assert sorted(_step(client, copy, "harbour-story-number-3", "harbour-story-number-4")) == [
        ("upsert", "harbour-story-number-1"),
        ("upsert", "harbour-story-number-2"),
    ]
    edited = [record(1, title="Harbour dredging approved"), record(2, status="draft"), record(3)]
    assert [r["status"] for r in send(client, admin, *edited).json()["results"]] == ["updated"] * 3
    assert sorted(_step(client, copy, "harbour-story-number-4")) == [
        ("tombstone", "harbour-story-number-2"),
        ("upsert", "harbour-story-number-1"),
        ("upsert", "harbour-story-number-3"),
    ]
    clock.now += timedelta(hours=2)
    assert _step(client, copy) == [("upsert", "harbour-story-number-4")]
