"""Embargoes hold on every write route: a key without `content:embargo` can neither see, change,
confirm nor lift one, through ingest, export, pins or the article routes."""

import orjson
import pytest

from tests.ingest.helpers import record, send

LIFTS = "2025-06-02T12:00:00Z"


@pytest.fixture
def partner(api_key) -> dict[str, str]:
    return api_key("content:write", "content:preview", "content:embargo")


@pytest.fixture
def writer(api_key) -> dict[str, str]:
    return api_key("content:write", "content:preview")


@pytest.fixture
def embargoed(client, partner) -> dict:
    story = record(1, title="Merger agreed", slug="merger-agreed", embargo_until=LIFTS)
    assert send(client, partner, story).json()["created"] == 1
    return story


def _failure(response) -> dict:
    [result] = response.json()["results"]
    assert result["status"] == "failed"
    return result["error"]


def _still_embargoed(client, partner) -> None:
    assert client.get("/api/v1/articles/merger-agreed").status_code == 404
    stored = client.get("/api/v1/articles/merger-agreed", headers=partner).json()
    assert (stored["title"], stored["embargo_until"]) == ("Merger agreed", LIFTS)


@pytest.mark.parametrize("dry_run", [False, True])
def test_ingest_cannot_update_or_lift_an_embargoed_article_by_external_id(client, partner, writer, embargoed, dry_run):
    # The stored text exactly, and another: neither answer tells which one the article holds.
    same, other = record(1, title="Merger agreed", slug="merger-agreed"), record(1, title="Merger off")
    errors = [_failure(send(client, writer, sent, dry_run=str(dry_run).lower())) for sent in (same, other)]
    assert errors[0] == errors[1]
    assert (errors[0]["status"], errors[0]["type"]) == (409, "http://testserver/problems/external-id-taken")
    _still_embargoed(client, partner)


def test_ingest_cannot_update_an_embargoed_article_by_slug_nor_make_a_second_one(client, partner, writer, embargoed):
    for sent in (record(1, external_id=None, slug="merger-agreed"), record(7, slug="merger-agreed")):
        error = _failure(send(client, writer, sent))
        assert (error["status"], error["type"]) == (409, "http://testserver/problems/slug-taken")
    listed = client.get("/api/v1/articles", params={"status": "published"}, headers=partner).json()
    assert [a["slug"] for a in listed["data"]] == ["merger-agreed"]
    _still_embargoed(client, partner)


def test_an_embargoed_story_refused_to_ingest_leaves_no_new_tag(client, writer, embargoed):
    send(client, writer, record(1, tags=["Secret merger partner"]))
    assert "secret-merger-partner" not in {t["slug"] for t in client.get("/api/v1/tags", headers=writer).json()["data"]}


def test_setting_an_embargo_needs_the_embargo_scope_on_every_route(client, writer, partner):
    error = _failure(send(client, writer, record(2, embargo_until=LIFTS)))
    assert (error["status"], error["type"]) == (403, "http://testserver/problems/missing-scope")
    assert client.get("/api/v1/articles/harbour-story-number-2", headers=partner).status_code == 404
    created = client.post(
        "/api/v1/articles",
        json={"title": "Results", "authors": ["ada-reporter"], "embargo_until": LIFTS},
        headers=writer,
    )
    assert (created.status_code, created.json()["scope"]) == (403, "content:embargo")
    assert send(client, writer, record(3)).json()["created"] == 1
    patched = client.patch("/api/v1/articles/harbour-story-number-3", json={"embargo_until": LIFTS}, headers=writer)
    assert (patched.status_code, patched.json()["scope"]) == (403, "content:embargo")
    assert client.get("/api/v1/articles/harbour-story-number-3").status_code == 200
    # Sending the embargo it already has (none) changes nothing, so needs no scope.
    path = "/api/v1/articles/harbour-story-number-3"
    assert client.patch(path, json={"embargo_until": None}, headers=writer).is_success
    allowed = client.patch(path, json={"embargo_until": LIFTS}, headers=partner)
    assert allowed.status_code == 200 and allowed.json()["embargo_until"] == LIFTS


def test_export_leaves_out_embargoed_articles_and_pins_to_them_without_the_scope(client, partner, writer, embargoed):
    send(client, partner, record(2, related=["merger-agreed"]))

    def exported(headers) -> dict[str, dict]:
        response = client.get("/api/v1/export/articles.ndjson", headers=headers)
        return {r["slug"]: r for r in map(orjson.loads, response.content.splitlines())}

    assert exported(writer).keys() == {"harbour-story-number-2"}
    assert exported(writer)["harbour-story-number-2"]["related"] == []
    assert b"Merger agreed" not in client.get("/api/v1/export/articles.ndjson", headers=writer).content
    assert exported(partner).keys() == {"merger-agreed", "harbour-story-number-2"}
    assert exported(partner)["harbour-story-number-2"]["related"] == ["merger-agreed"]


def test_pinning_an_embargoed_article_answers_as_an_unknown_slug(client, writer, partner, embargoed):
    send(client, writer, record(2))
    pins = "/api/v1/articles/harbour-story-number-2/related/pins"
    answers = [client.put(pins, json={"slugs": [slug]}, headers=writer) for slug in ("merger-agreed", "no-such-story")]
    assert [a.status_code for a in answers] == [422, 422]
    assert [a.json()["errors"][0]["pointer"] for a in answers] == ["#/slugs", "#/slugs"]
    assert client.put(pins, json={"slugs": ["merger-agreed"]}, headers=partner).status_code == 200
    imported = [
        _failure(send(client, writer, record(3, related=[slug])))["errors"][0]["pointer"]
        for slug in ("merger-agreed", "no-such-story")
    ]
    assert imported == ["#/related/0", "#/related/0"]


def test_an_embargo_key_may_still_lift_an_embargo_through_ingest(client, partner, embargoed):
    [result] = send(client, partner, record(1, title="Merger agreed")).json()["results"]
    assert result["status"] == "updated"
    assert client.get("/api/v1/articles/merger-agreed").status_code == 200
