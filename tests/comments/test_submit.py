from datetime import timedelta

from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article


def test_new_comment_waits_for_moderation(client, session):
    article = make_article(session)
    response = reply(client, article.slug, author_name="Ana", author_email="ana@example.com")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"] == []
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 0


def test_a_returning_commenter_with_their_token_is_published_at_once(client, session, api_key):
    article = make_article(session)
    moderator = api_key("comments:moderate")
    first = reply(client, article.slug, author_email="Ana@Example.com")
    token = first.json()["commenter_token"]
    approve(client, moderator, first.json()["id"])
    second = reply(client, article.slug, author_email="ana@example.com", content="Back again.", commenter_token=token)
    assert second.status_code == 201 and second.json()["commenter_token"] == token
    assert second.json()["status"] == "approved" and "Back again." in second.json()["comment"]["content_html"]
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 2


def test_a_reply_published_at_once_names_its_parent_in_the_receipt(client, session, api_key):
    article = make_article(session)
    moderator = api_key("comments:moderate")
    first = reply(client, article.slug, author_email="ana@example.com").json()
    approve(client, moderator, first["id"])
    token = first["commenter_token"]
    answer = reply(client, article.slug, author_email="ana@example.com", parent_id=first["id"], commenter_token=token)
    assert answer.status_code == 201 and answer.json()["comment"]["parent_id"] == first["id"]
    [thread] = client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]
    assert thread["replies"][0]["id"] == answer.json()["id"]


def test_typing_a_trusted_address_without_its_token_is_held_and_tells_nothing(client, session, api_key):
    article = make_article(session)
    moderator = api_key("comments:moderate")
    genuine = reply(client, article.slug, author_email="ana@example.com")
    approve(client, moderator, genuine.json()["id"])
    forged = reply(
        client, article.slug, author_name="Not Ana", author_email="ana@example.com", content="[x](https://x.example)"
    )
    stranger = reply(client, article.slug, author_email="nobody@example.com")
    assert forged.status_code == stranger.status_code == 202
    assert forged.json().keys() == stranger.json().keys() and forged.json()["status"] == "pending"
    assert forged.json()["commenter_token"] != genuine.json()["commenter_token"]
    borrowed = reply(
        client, article.slug, author_email="eve@example.com", commenter_token=genuine.json()["commenter_token"]
    )
    assert borrowed.status_code == 202
    [held, *_] = client.get("/api/v1/comments?email=ana@example.com", headers=moderator).json()["data"]
    assert held["reasons"] == ["address known, but sent without its commenter token"]


def test_required_fields_are_named(client, session):
    article = make_article(session)
    cases = [
        ({"author_name": "", "author_email": "a@example.com", "content": "Hi"}, "#/author_name"),
        ({"author_name": "A", "content": "Hi"}, "#/author_email"),
        ({"author_name": "A", "author_email": "not-an-email", "content": "Hi"}, "#/author_email"),
        ({"author_name": "A", "author_email": "a@example.com", "content": "   "}, "#/content"),
        (
            {"author_name": "A", "author_email": "a@example.com", "content": "Hi", "author_url": "javascript:alert(1)"},
            "#/author_url",
        ),
        ({"author_name": "A", "author_email": "a@example.com", "content": "x" * 5001}, "#/content"),
    ]
    for body, pointer in cases:
        response = client.post(f"/api/v1/articles/{article.slug}/comments", json=body)
        assert response.status_code == 422, body
        assert pointer in [e.get("pointer") for e in response.json()["errors"]], (pointer, response.json())


def test_comments_closed_is_a_409(client, session):
    article = make_article(session, comments_open=False)
    response = reply(client, article.slug)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/problems/comments-closed")


def test_unpublished_article_takes_no_comments(client, session, clock):
    draft = make_article(session, status="draft")
    scheduled = make_article(
        session, status="scheduled", published_at=(clock.now + timedelta(days=1)).isoformat(), now=clock.now
    )
    assert reply(client, draft.slug).status_code == 404
    assert reply(client, scheduled.slug).status_code == 404


def test_reply_to_a_comment_of_another_article_is_refused(client, session, api_key):
    moderator = api_key("comments:moderate")
    one, other = make_article(session), make_article(session)
    elsewhere = reply(client, other.slug).json()["id"]
    approve(client, moderator, elsewhere)
    response = reply(client, one.slug, parent_id=elsewhere)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/parent_id"


def test_oversized_body_is_a_413(client, session):
    article = make_article(session)
    response = client.post(
        f"/api/v1/articles/{article.slug}/comments",
        content=b'{"author_name": "A", "author_email": "a@example.com", "content": "' + b"x" * 70000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_oversized_chunked_body_is_a_413(client, session):
    article = make_article(session)

    def chunks():
        yield b'{"author_name": "A", "author_email": "a@example.com", "content": "'
        for _ in range(80):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(
        f"/api/v1/articles/{article.slug}/comments", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
