from datetime import timedelta

import pytest

from tests.comments.helpers import reply
from tests.conftest import counting_queries
from tests.factories.newsroom import make_article


def test_publish_makes_a_draft_public_now(client, session, editor, clock):
    article = make_article(session, status="draft")
    response = client.post(f"/api/v1/articles/{article.slug}/publish", headers=editor)
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] == clock.now.isoformat().replace("+00:00", "Z")
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 200


def test_publish_with_a_future_time_schedules_and_goes_live_by_itself(client, session, editor, clock):
    article = make_article(session, status="draft")
    when = clock.now + timedelta(hours=2)
    response = client.post(
        f"/api/v1/articles/{article.slug}/publish", json={"published_at": when.isoformat()}, headers=editor
    )
    assert response.json()["status"] == "scheduled"
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 404
    assert [a["slug"] for a in client.get("/api/v1/articles?status=scheduled", headers=editor).json()["data"]] == [
        article.slug
    ]
    clock.now = when
    assert client.get(f"/api/v1/articles/{article.slug}").json()["status"] == "published"


def test_unpublish_takes_an_article_back_to_draft(client, session, editor):
    article = make_article(session)
    response = client.post(f"/api/v1/articles/{article.slug}/unpublish", headers=editor)
    assert response.json()["status"] == "draft"
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 404


def test_unpublishing_a_draft_is_a_409(client, session, editor):
    article = make_article(session, status="draft")
    response = client.post(f"/api/v1/articles/{article.slug}/unpublish", headers=editor)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/problems/invalid-transition")


def test_drafts_are_listed_for_preview_keys_only(client, session, api_key):
    article = make_article(session, status="draft")
    make_article(session)
    assert client.get("/api/v1/articles?status=draft").status_code == 401
    assert client.get("/api/v1/articles?status=draft", headers=api_key("content:write")).status_code == 403
    listed = client.get("/api/v1/articles?status=draft", headers=api_key("content:preview")).json()
    assert [a["slug"] for a in listed["data"]] == [article.slug]
    assert listed["meta"]["total"] == 1


def test_private_reads_are_never_cached_by_shared_caches(client, session, editor):
    article = make_article(session, status="draft")
    response = client.get(f"/api/v1/articles/{article.slug}", headers=editor)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_preview_token_opens_one_draft_without_a_key(client, session, editor, clock):
    article = make_article(session, status="draft")
    other = make_article(session, status="draft")
    issued = client.post(f"/api/v1/articles/{article.slug}/preview-token", headers=editor)
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert issued.json()["url"] == f"http://testserver/api/v1/articles/{article.slug}?preview_token={token}"
    assert client.get(f"/api/v1/articles/{article.slug}", params={"preview_token": token}).status_code == 200
    assert client.get(f"/api/v1/articles/{other.slug}", params={"preview_token": token}).status_code == 403
    assert client.get(f"/api/v1/articles/{article.slug}", params={"preview_token": token + "x"}).status_code == 403
    clock.now += timedelta(days=2)
    assert client.get(f"/api/v1/articles/{article.slug}", params={"preview_token": token}).status_code == 403


def test_embargoed_article_is_for_embargo_keys_until_it_lifts(client, session, api_key, clock):
    lifts = clock.now + timedelta(hours=3)
    article = make_article(session, embargo_until=lifts.isoformat())
    make_article(session)
    partner = api_key("content:embargo")
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 404
    assert client.get(f"/api/v1/articles/{article.slug}", headers=partner).status_code == 200
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 1
    assert client.get("/api/v1/articles", headers=partner).json()["meta"]["total"] == 2
    clock.now = lifts
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 200
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 2


def test_the_embargoed_filter_lists_only_stories_under_embargo_while_it_holds(client, session, api_key, clock):
    lifts = clock.now + timedelta(hours=3)
    article = make_article(session, embargo_until=lifts.isoformat())
    make_article(session)
    partner, writer = api_key("content:embargo"), api_key("content:write")
    listed = client.get("/api/v1/articles", params={"embargoed": "true"}, headers=partner).json()
    assert [row["slug"] for row in listed["data"]] == [article.slug] and listed["meta"]["total"] == 1
    assert client.get("/api/v1/articles", params={"embargoed": "true"}, headers=writer).json()["meta"]["total"] == 0
    clock.now = lifts
    assert client.get("/api/v1/articles", params={"embargoed": "true"}, headers=partner).json()["meta"]["total"] == 0


def test_tags_of_unpublished_articles_stay_private(client, session):
    make_article(session, status="draft", tags=["Secret Merger"])
    make_article(session, tags=["Budget"])
    assert [t["slug"] for t in client.get("/api/v1/tags").json()["data"]] == ["budget"]
    assert client.get("/api/v1/tags/secret-merger").status_code == 404


def test_incremental_sync_sees_articles_that_went_live_by_themselves(client, session, clock):
    created = clock.now
    article = make_article(
        session, status="scheduled", published_at=(created + timedelta(hours=1)).isoformat(), now=created
    )
    clock.now = created + timedelta(hours=2)
    since = (created + timedelta(minutes=30)).isoformat()
    assert [a["slug"] for a in client.get("/api/v1/articles", params={"updated_since": since}).json()["data"]] == [
        article.slug
    ]


@pytest.mark.parametrize("action", ["unpublish", "revisions/1/restore"])
def test_a_lifecycle_write_reads_its_article_once(client, session, editor, action):
    article = make_article(session)
    with counting_queries(client.app.state.byline.engines.write) as statements:
        assert client.post(f"/api/v1/articles/{article.slug}/{action}", headers=editor).status_code == 200
    article_reads = [
        sql for sql, _ in statements if sql.lstrip().startswith("SELECT") and "WHERE article.slug =" in sql
    ]
    assert len(article_reads) == 1


def test_commenting_reads_only_what_comments_need_of_the_article(client, session):
    article = make_article(session)
    # Read in the transaction that stores the comment.
    with counting_queries(client.app.state.byline.engines.write) as statements:
        assert reply(client, article.slug).status_code == 202
    [article_read] = [sql for sql, _ in statements if "FROM article" in sql and "article.slug IN" in sql]
    assert "article.body" not in article_read and "article.comments_open" in article_read


def _embargoed(session, clock, **overrides):
    return make_article(session, embargo_until=(clock.now + timedelta(hours=3)).isoformat(), **overrides)


def test_preview_keys_do_not_see_behind_an_embargo(client, session, api_key, clock):
    article = _embargoed(session, clock, title="Merger talks collapse")
    draft = _embargoed(session, clock, title="Merger draft", status="draft")
    preview = api_key("content:preview")
    assert client.get(f"/api/v1/articles/{article.slug}", headers=preview).status_code == 404
    for status in ("published", "draft"):
        listed = client.get("/api/v1/articles", params={"status": status}, headers=preview).json()
        assert listed["meta"]["total"] == 0 and listed["data"] == []
    assert client.get("/api/v1/articles", params={"q": "merger"}, headers=preview).json()["data"] == []
    assert client.post(f"/api/v1/articles/{draft.slug}/preview-token", headers=preview).status_code == 404


def test_a_preview_token_does_not_open_an_embargoed_article(client, session, api_key, clock):
    article = _embargoed(session, clock, status="draft")
    token = client.post(
        f"/api/v1/articles/{article.slug}/preview-token", headers=api_key("content:preview", "content:embargo")
    )
    assert token.status_code == 201
    read = client.get(f"/api/v1/articles/{article.slug}", params={"preview_token": token.json()["token"]})
    assert read.status_code == 404
    clock.now += timedelta(hours=3)
    assert (
        client.get(f"/api/v1/articles/{article.slug}", params={"preview_token": token.json()["token"]}).status_code
        == 200
    )


def test_writers_without_the_embargo_scope_get_nothing_of_an_embargoed_article(client, session, api_key, clock):
    article = _embargoed(session, clock)
    writer = api_key("content:write", "content:preview")
    assert client.patch(f"/api/v1/articles/{article.slug}", json={}, headers=writer).status_code == 404
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=writer).status_code == 404
    assert client.get(f"/api/v1/articles/{article.slug}/revisions/1", headers=writer).status_code == 404
    partner = api_key("content:write", "content:embargo")
    assert client.patch(f"/api/v1/articles/{article.slug}", json={}, headers=partner).status_code == 200


def test_a_patch_that_changes_nothing_changes_nothing(client, session, editor, clock):
    article = make_article(session, tags=["Budget"])
    before = client.get(f"/api/v1/articles/{article.slug}", headers=editor | {"Accept-Encoding": "identity"})
    clock.now += timedelta(hours=1)
    same = {"title": article.title, "tags": ["Budget"]}
    for body in ({}, same):
        response = client.patch(f"/api/v1/articles/{article.slug}", json=body, headers=editor)
        assert response.status_code == 200 and response.headers["ETag"] == before.headers["ETag"]
        assert response.json()["updated_at"] == before.json()["updated_at"]
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()["meta"]["total"] == 1
