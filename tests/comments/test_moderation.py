from datetime import timedelta

from sqlmodel import select

from app.caching.content_version import ContentVersion
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article


def test_moderation_is_for_moderators_only(client, api_key):
    assert client.get("/api/v1/comments").status_code == 401
    assert client.get("/api/v1/comments", headers=api_key("content:write")).status_code == 403


def test_queue_shows_everything_a_moderator_needs(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    reply(client, article.slug, author_email="Jo@Example.com", content="Worth reading.")
    [item] = client.get("/api/v1/comments?status=pending", headers=moderator).json()["data"]
    assert item["author_email"] == "jo@example.com" and item["article_slug"] == article.slug
    assert item["reasons"] == ["first comment from this address"]


def test_queue_filters_by_article_and_email(client, session, api_key):
    moderator = api_key("comments:moderate")
    one, other = make_article(session), make_article(session)
    reply(client, one.slug, author_email="a@example.com")
    reply(client, other.slug, author_email="b@example.com")
    by_article = client.get(f"/api/v1/comments?article={one.slug}", headers=moderator).json()
    assert [c["author_email"] for c in by_article["data"]] == ["a@example.com"] and by_article["meta"]["total"] == 1
    by_email = client.get("/api/v1/comments?email=B@example.com", headers=moderator).json()["data"]
    assert [c["article_slug"] for c in by_email] == [other.slug]


def test_queue_filters_by_held_reason_and_age(client, session, api_key, clock):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    first = reply(client, article.slug).json()["id"]
    clock.now += timedelta(hours=2)
    links = " ".join(f"[{n}](https://example.com/{n})" for n in range(5))
    linked = reply(client, article.slug, content=f"See {links}").json()["id"]

    def queue(**params) -> list[int]:
        return [c["id"] for c in client.get("/api/v1/comments", params=params, headers=moderator).json()["data"]]

    assert queue(reason="too_many_links") == [linked]
    assert queue(reason="first_comment") == [first]
    assert queue(reason="honeypot") == []
    an_hour_ago = (clock.now - timedelta(hours=1)).isoformat()
    assert queue(until=an_hour_ago) == [first] and queue(since=an_hour_ago) == [linked]
    refused = client.get("/api/v1/comments", params={"reason": "rude", "since": "yesterday"}, headers=moderator)
    assert refused.status_code == 422
    assert {e["parameter"] for e in refused.json()["errors"]} == {"reason", "since"}


def test_a_comment_is_shown_in_its_thread_with_every_status(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    opening = reply(client, article.slug).json()["id"]
    approve(client, moderator, opening)
    answer = reply(client, article.slug, parent_id=opening).json()["id"]
    approve(client, moderator, answer)
    held, spam = (reply(client, article.slug, parent_id=answer).json()["id"] for _ in range(2))
    client.patch(f"/api/v1/comments/{spam}", json={"status": "spam"}, headers=moderator)
    thread = client.get(f"/api/v1/comments/{held}/thread", headers=moderator).json()
    assert [c["id"] for c in thread["ancestors"]] == [opening, answer] and thread["replies"] == []
    assert thread["comment"]["id"] == held and thread["comment"]["author_email"].endswith("@example.com")
    thread = client.get(f"/api/v1/comments/{answer}/thread", headers=moderator).json()
    assert [c["id"] for c in thread["ancestors"]] == [opening]
    assert [(c["id"], c["status"]) for c in thread["replies"]] == [(held, "pending"), (spam, "spam")]
    assert client.get("/api/v1/comments/999999/thread", headers=moderator).status_code == 404
    assert client.get(f"/api/v1/comments/{held}/thread", headers=api_key("content:write")).status_code == 403


def test_approval_and_trash_change_the_public_list_and_count_at_once(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    comment_id = reply(client, article.slug).json()["id"]
    approve(client, moderator, comment_id)
    assert len(client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]) == 1
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 1
    client.patch(f"/api/v1/comments/{comment_id}", json={"status": "trash"}, headers=moderator)
    assert client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"] == []
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 0


def test_moderator_edits_a_comment(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    comment_id = reply(client, article.slug).json()["id"]
    edited = client.patch(f"/api/v1/comments/{comment_id}", json={"content": "Edited *politely*."}, headers=moderator)
    assert edited.json()["content_html"] == "<p>Edited <em>politely</em>.</p>"


def test_bulk_moderation_handles_many_ids_in_one_request(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    ids = [reply(client, article.slug).json()["id"] for _ in range(4)]
    result = client.post(
        "/api/v1/comments/moderate", json={"ids": ids + [999999], "action": "approve"}, headers=moderator
    )
    assert result.json() == {"changed": 4, "not_found": [999999]}
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 4
    client.post("/api/v1/comments/moderate", json={"ids": ids[:2], "action": "spam"}, headers=moderator)
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 2


def test_deleting_a_comment_keeps_its_replies(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    root = reply(client, article.slug).json()["id"]
    approve(client, moderator, root)
    answer = reply(client, article.slug, parent_id=root).json()["id"]
    approve(client, moderator, answer)
    assert client.delete(f"/api/v1/comments/{root}", headers=moderator).status_code == 204
    assert [t["id"] for t in client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]] == [answer]
    assert client.get(f"/api/v1/comments/{root}", headers=moderator).status_code == 404
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 1


def test_approval_reaches_a_cached_related_list(client, session, api_key):
    moderator = api_key("comments:moderate")
    one = make_article(
        session, tags=["Floods"], body=[{"type": "paragraph", "text": "The river rose over the flood wall."}]
    )
    other = make_article(
        session, tags=["Floods"], body=[{"type": "paragraph", "text": "Sandbags held the river back."}]
    )
    related = f"/api/v1/articles/{one.slug}/related"
    assert [item["comment_count"] for item in client.get(related).json()["data"]] == [0]
    approve(client, moderator, reply(client, other.slug).json()["id"])
    assert [item["comment_count"] for item in client.get(related).json()["data"]] == [1]


def _content_version(session) -> int:
    version = session.exec(select(ContentVersion.version)).one()
    session.rollback()  # let the API's writers in
    return version


def test_moderating_what_readers_never_saw_leaves_caches_alone(client, session, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    held, other = reply(client, article.slug).json()["id"], reply(client, article.slug).json()["id"]
    before = _content_version(session)
    client.patch(f"/api/v1/comments/{held}", json={"status": "spam"}, headers=moderator)
    client.post("/api/v1/comments/moderate", json={"ids": [held], "action": "trash"}, headers=moderator)
    assert _content_version(session) == before
    approve(client, moderator, other)
    assert _content_version(session) == before + 1
