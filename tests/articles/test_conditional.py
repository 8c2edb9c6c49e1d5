"""ETags: 304 for readers who hold the current version, 412 for editors who would overwrite a newer one."""

import asyncio

import httpx

from tests.factories.newsroom import make_article


def test_article_read_carries_an_etag_and_answers_304_when_unchanged(client, session):
    article = make_article(session)
    first = client.get(f"/api/v1/articles/{article.slug}")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/articles/{article.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag


def test_stale_if_match_is_refused_and_changes_nothing(client, session, editor):
    article = make_article(session, title="Original")
    etag = client.get(f"/api/v1/articles/{article.slug}", headers=editor).headers["ETag"]
    client.patch(
        f"/api/v1/articles/{article.slug}",
        json={"subtitle": "Someone else's edit"},
        headers=editor | {"If-Match": etag},
    )
    response = client.patch(
        f"/api/v1/articles/{article.slug}", json={"title": "Mine"}, headers=editor | {"If-Match": etag}
    )
    assert response.status_code == 412
    assert response.json()["type"].endswith("/problems/precondition-failed")
    current = client.get(f"/api/v1/articles/{article.slug}").json()
    assert (current["title"], current["subtitle"]) == ("Original", "Someone else's edit")


def test_write_returns_the_etag_for_the_next_write(client, session, editor):
    article = make_article(session)
    first = client.patch(f"/api/v1/articles/{article.slug}", json={"title": "One"}, headers=editor)
    second = client.patch(
        f"/api/v1/articles/{article.slug}", json={"title": "Two"}, headers=editor | {"If-Match": first.headers["ETag"]}
    )
    assert second.status_code == 200


def test_single_resources_all_carry_etags(client, session):
    article = make_article(session, tags=["Budget"])
    author = article.authors[0].slug
    for url in (f"/api/v1/authors/{author}", "/api/v1/tags/budget"):
        response = client.get(url)
        assert response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_stale_if_match_on_an_author_is_refused(client, session, editor):
    author = make_article(session).authors[0]
    etag = client.get(f"/api/v1/authors/{author.slug}").headers["ETag"]
    client.patch(f"/api/v1/authors/{author.slug}", json={"role": "Editor"}, headers=editor)
    response = client.patch(f"/api/v1/authors/{author.slug}", json={"bio": "x"}, headers=editor | {"If-Match": etag})
    assert response.status_code == 412


def test_racing_editors_never_overwrite_each_other(client, session, editor):
    """Editors who read the same version and write at once: exactly one wins, the others get 412."""
    article = make_article(session, title="Start")
    url = f"/api/v1/articles/{article.slug}"

    async def race(round_number: int) -> list[int]:
        etag = client.get(url, headers=editor).headers["ETag"]
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as racing:
            responses = await asyncio.gather(
                *(
                    racing.patch(
                        url, json={"title": f"Round {round_number} editor {n}"}, headers=editor | {"If-Match": etag}
                    )
                    for n in range(4)
                )
            )
        return sorted(response.status_code for response in responses)

    for round_number in range(5):
        assert asyncio.run(race(round_number)) == [200, 412, 412, 412]
    revisions = client.get(f"{url}/revisions", headers=editor).json()["data"]
    assert len(revisions) == 1 + 5


def test_comment_moderation_does_not_make_an_editors_etag_stale(client, session, editor, api_key):
    article = make_article(session)
    etag = client.get(f"/api/v1/articles/{article.slug}", headers=editor).headers["ETag"]
    comment = client.post(
        f"/api/v1/articles/{article.slug}/comments",
        json={"author_name": "R", "author_email": "r@example.com", "content": "Noted."},
        headers={"X-Forwarded-For": "198.51.100.9"},
    ).json()["id"]
    client.patch(f"/api/v1/comments/{comment}", json={"status": "approved"}, headers=api_key("comments:moderate"))
    response = client.patch(
        f"/api/v1/articles/{article.slug}", json={"title": "Edited"}, headers=editor | {"If-Match": etag}
    )
    assert response.status_code == 200


def test_a_reader_revalidating_sees_the_new_comment_count(client, session, api_key):
    article = make_article(session)
    url = f"/api/v1/articles/{article.slug}"
    before = client.get(url)
    comment = client.post(
        f"{url}/comments",
        json={"author_name": "R", "author_email": "r@example.com", "content": "Noted."},
        headers={"X-Forwarded-For": "198.51.100.9"},
    ).json()["id"]
    client.patch(f"/api/v1/comments/{comment}", json={"status": "approved"}, headers=api_key("comments:moderate"))

    revalidated = client.get(url, headers={"If-None-Match": before.headers["ETag"]})

    assert revalidated.status_code == 200
    assert revalidated.json()["comment_count"] == before.json()["comment_count"] + 1


def test_concurrent_articles_introducing_the_same_new_tag_all_succeed(client, session, editor):
    author = make_article(session).authors[0].slug

    async def create_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as racing:
            responses = await asyncio.gather(
                *(
                    racing.post(
                        "/api/v1/articles",
                        json={"title": f"Storm night {n}", "authors": [author], "tags": ["Storm Ciarán", "Flooding"]},
                        headers=editor,
                    )
                    for n in range(6)
                )
            )
        return [response.status_code for response in responses]

    assert asyncio.run(create_at_once()) == [201] * 6
    tags = client.get("/api/v1/articles", params={"status": "draft"}, headers=editor).json()["data"]
    assert {tuple(t["slug"] for t in article["tags"]) for article in tags} == {("flooding", "storm-ciaran")}


def test_a_write_with_tags_answers_with_the_etag_of_what_is_stored(client, session, editor):
    article = make_article(session)
    written = client.patch(f"/api/v1/articles/{article.slug}", json={"tags": ["Harbour", "Dawn"]}, headers=editor)
    assert [tag["name"] for tag in written.json()["tags"]] == ["Dawn", "Harbour"]
    next_write = editor | {"If-Match": written.headers["ETag"]}
    again = client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Next"}, headers=next_write)
    assert again.status_code == 200
