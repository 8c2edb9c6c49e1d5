"""Collections through HTTP: the editors' order, hidden stories left out until their time, If-Match,
422s that name the field, scheduled orders, revisions and sections' editors' picks."""

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app.outbox.models import OutboxEvent
from app.webhooks.events import body
from tests.caching.test_purges import caught_up
from tests.factories.newsroom import make_article, make_section

URL = "/api/v1/collections/home"


def slugs(answer) -> list[str]:
    return [entry["article"]["slug"] for entry in answer.json()["items"]]


def put(client, headers, items, **fields):
    body = {"title": "Home", "items": [{"article": slug} for slug in items]} | fields
    return client.put(URL, json=body, headers=headers)


def test_order_is_kept_and_hidden_stories_leave_no_gap_until_their_time(client, session, editor, clock, settings):
    a, b = make_article(session), make_article(session)
    later = clock.now + timedelta(hours=1)
    scheduled = make_article(session, published_at=later)
    draft = make_article(session, status="draft")
    created = client.put(
        URL,
        json={
            "title": "Home",
            "max_items": 3,
            "items": [
                {"article": scheduled.slug, "label": "Exclusive"},
                {"article": b.slug},
                {"article": draft.slug},
                {"article": a.slug, "label": "Live"},
            ],
        },
        headers=editor,
    )
    assert created.status_code == 201, created.text
    read = client.get(URL)
    assert slugs(read) == [b.slug, a.slug]
    assert [entry["label"] for entry in read.json()["items"]] == [None, "Live"]
    assert "collection:home" in read.headers["Surrogate-Key"].split()
    # Editors see every pick, up to the maximum.
    assert slugs(client.get(URL, headers=editor)) == [scheduled.slug, b.slug, draft.slug]
    clock.now = later
    assert slugs(client.get(URL)) == [scheduled.slug, b.slug, a.slug]
    listed = client.get("/api/v1/collections").json()
    assert [c["slug"] for c in listed["data"]] == ["home"] and listed["meta"]["total"] == 1
    event = session.exec(select(OutboxEvent).where(OutboxEvent.topic == "collection.updated")).one()
    sent = json.loads(body(event.topic, event.payload, occurred_at=event.created_at, settings=settings))
    assert (sent["type"], sent["data"]["slug"]) == ("collection.updated", "home")
    assert sent["data"]["url"] == "http://testserver/api/v1/collections/home"


def test_fallback_section_fills_the_free_slots(client, session, editor):
    section = make_section(session, name="World")
    picked = make_article(session, section=section.slug, published_at=datetime(2025, 5, 1, tzinfo=UTC))
    newest = make_article(session, section=section.slug, published_at=datetime(2025, 5, 3, tzinfo=UTC))
    make_article(session, section=section.slug, published_at=datetime(2025, 5, 2, tzinfo=UTC))
    put(client, editor, [picked.slug], max_items=2, fallback_section=section.slug)
    entries = client.get(URL).json()["items"]
    assert [(e["article"]["slug"], e["picked"]) for e in entries] == [(picked.slug, True), (newest.slug, False)]


def test_stale_if_match_is_412_and_changes_nothing(client, session, editor):
    a, b = make_article(session), make_article(session)
    # Any If-Match, `*` included, names a collection that exists: none is created.
    for tag in ("*", '"anything"'):
        missing = put(client, editor | {"If-Match": tag}, [a.slug])
        assert missing.status_code == 412 and client.get(URL).status_code == 404
    put(client, editor, [a.slug])
    etag = client.get(URL, headers=editor).headers["ETag"]
    assert put(client, editor | {"If-Match": etag}, [b.slug, a.slug]).status_code == 200
    stale = put(client, editor | {"If-Match": etag}, [a.slug])
    assert stale.status_code == 412 and stale.json()["type"].endswith("/problems/precondition-failed")
    assert slugs(client.get(URL)) == [b.slug, a.slug]
    revisions = client.get(URL + "/revisions", headers=editor).json()
    assert [[item["article"] for item in r["items"]] for r in revisions] == [[b.slug, a.slug], [a.slug]]


def test_if_none_match_star_creates_only(client, session, editor):
    a, b = make_article(session), make_article(session)
    created = put(client, editor | {"If-None-Match": "*"}, [a.slug])
    assert created.status_code == 201 and created.headers["Location"].endswith(URL)
    taken = put(client, editor | {"If-None-Match": "*"}, [b.slug])
    assert taken.status_code == 412 and taken.headers["content-type"] == "application/problem+json"
    assert taken.json()["type"].endswith("/problems/collection-exists") and taken.json()["slug"] == "home"
    assert taken.json()["errors"][0]["parameter"] == "slug"
    odd = client.put("/api/v1/collections/Not%20a%20slug", json={"title": "X", "items": []}, headers=editor)
    assert odd.status_code == 422 and odd.json()["errors"][0]["parameter"] == "slug"
    assert slugs(client.get(URL)) == [a.slug]


def test_bad_orders_are_422s_naming_the_field(client, session, editor):
    a = make_article(session)
    cases = [
        ([a.slug, "no-such-story"], {}, "#/items/1/article"),
        ([a.slug, a.slug], {}, "#/items/1/article"),
        ([f"story-{n}" for n in range(101)], {}, "#/items"),
        ([a.slug], {"fallback_section": "nowhere"}, "#/fallback_section"),
    ]
    for items, fields, pointer in cases:
        answer = put(client, editor, items, **fields)
        assert answer.status_code == 422, answer.text
        assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]
    assert client.get(URL).status_code == 404
    assert put(client, {}, [a.slug]).status_code == 401


def test_a_scheduled_order_applies_at_its_time(client, session, editor, clock):
    a, b = make_article(session), make_article(session)
    put(client, editor, [a.slug])
    six = clock.now + timedelta(hours=6)
    assert put(client, editor, [b.slug, a.slug], apply_at=six.isoformat()).status_code == 200
    assert slugs(client.get(URL)) == [a.slug]
    coming = client.get(URL, headers=editor).json()["scheduled"]
    assert [item["article"] for item in coming[0]["items"]] == [b.slug, a.slug]
    clock.now = six
    assert slugs(client.get(URL)) == [b.slug, a.slug]
    assert client.get(URL, headers=editor).json()["scheduled"] == []


def test_a_sections_editors_picks_name_a_collection_that_exists_follows_its_renames_and_keeps_it(
    client, session, editor
):
    section = make_section(session, name="Opinion")
    a = make_article(session, section=section.slug)
    section_url = f"/api/v1/sections/{section.slug}"
    missing = client.patch(section_url, json={"editors_picks": "home"}, headers=editor)
    assert missing.status_code == 422 and missing.json()["errors"][0]["pointer"] == "#/editors_picks"
    new_section = client.post("/api/v1/sections", json={"name": "Arts", "editors_picks": "home"}, headers=editor)
    assert new_section.status_code == 422 and "home" in new_section.json()["errors"][0]["detail"]
    put(client, editor, [a.slug])
    assert client.patch(section_url, json={"editors_picks": "home"}, headers=editor).status_code == 200

    in_use = client.delete(URL, headers=editor)
    assert in_use.status_code == 409 and in_use.json()["sections"] == [section.slug]
    client.put("/api/v1/collections/spare", json={"title": "Spare", "items": []}, headers=editor)
    taken = client.patch(URL, json={"slug": "spare"}, headers=editor)
    assert taken.status_code == 409 and taken.json()["type"].endswith("/collection-slug-taken")
    stale = client.patch(URL, json={"slug": "front"}, headers=editor | {"If-Match": '"stale"'})
    assert stale.status_code == 412

    current = client.get(URL, headers=editor).headers["ETag"]
    renamed = client.patch(URL, json={"slug": "front", "title": "Front"}, headers=editor | {"If-Match": current})
    assert renamed.status_code == 200 and renamed.json()["slug"] == "front" and renamed.json()["title"] == "Front"
    assert client.get(URL).status_code == 404
    assert slugs(client.get("/api/v1/collections/front")) == [a.slug]
    page = client.get(section_url, params={"include": "editors_picks"}).json()
    assert page["editors_picks"] == "front"
    assert [e["article"]["slug"] for e in page["included"]["editors_picks"]["items"]] == [a.slug]
    assert len(client.get("/api/v1/collections/front/revisions", headers=editor).json()) == 1

    assert client.patch(section_url, json={"editors_picks": None}, headers=editor).status_code == 200
    assert client.delete("/api/v1/collections/front", headers=editor).status_code == 204
    assert client.get("/api/v1/collections/front").status_code == 404


def test_cached_answers_end_with_a_reorder_or_an_article_write_and_a_feed_follows_the_order(client, session, editor):
    a, b = make_article(session), make_article(session)
    put(client, editor, [a.slug, b.slug])
    # On PostgreSQL the worker hears of the write's purge a moment later, which would end an answer cached before.
    caught_up(client)
    assert slugs(client.get(URL)) == [a.slug, b.slug]
    assert client.get(URL).headers["X-Cache"] == "HIT"
    unpublished = client.post(f"/api/v1/articles/{a.slug}/unpublish", headers=editor)
    assert unpublished.status_code == 200, unpublished.text
    assert slugs(client.get(URL)) == [b.slug]
    put(client, editor, [b.slug, a.slug])
    feed = client.get("/feeds/collections/home/feed.json")
    assert feed.status_code == 200 and "collection:home" in feed.headers["Surrogate-Key"].split()
    assert [item["title"] for item in feed.json()["items"]] == [b.title]
    assert client.get("/feeds/collections/nowhere/rss.xml").status_code == 404
