"""One request per page: `include=` embeds what the page's other endpoints answer, and `fields=`
sends only the fields a client renders."""

from datetime import UTC, datetime, timedelta

from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article, make_author

ALL_PARTS = "related,comments,author_articles"


def _newsroom(session, *, by_author: int = 23):
    """The lead article, with enough of its author's articles for a second page."""
    author = make_author(session, name="Alok Verma")
    for day in range(by_author):
        make_article(
            session,
            authors=[author.slug],
            title=f"Harbour dredging update {day}",
            published_at=datetime(2025, 4, 1, tzinfo=UTC) + timedelta(days=day),
            tags=["Harbour"],
        )
    lead = make_article(session, authors=[author.slug], title="Harbour dredging begins", tags=["Harbour"])
    session.rollback()
    return lead.slug, author.slug


def test_included_parts_are_what_their_own_endpoints_answer(session, client, api_key):
    slug, author = _newsroom(session)
    moderator = api_key("comments:moderate")
    for _ in range(21):
        approve(client, moderator, reply(client, slug).json()["id"])

    page = client.get(f"/api/v1/articles/{slug}", params={"include": ALL_PARTS})

    assert page.status_code == 200, page.text
    included = page.json()["included"]
    assert set(included) == {"related", "comments", "author_articles"}
    assert included["related"] == client.get(f"/api/v1/articles/{slug}/related").json()
    assert included["comments"] == client.get(f"/api/v1/articles/{slug}/comments").json()
    assert included["author_articles"] == client.get(f"/api/v1/authors/{author}/articles").json()
    assert len(included["related"]["data"]) == 5
    # The embedded first pages continue on their own endpoints.
    assert included["comments"]["meta"]["total"] == 21 and len(included["comments"]["data"]) == 20
    more_comments = client.get(included["comments"]["links"]["next"]).json()
    assert [c["id"] for c in more_comments["data"]] == [
        c["id"] for c in client.get(f"/api/v1/articles/{slug}/comments", params={"limit": 21}).json()["data"][20:]
    ]
    assert included["author_articles"]["meta"]["total"] == 24
    second = client.get(included["author_articles"]["links"]["next"]).json()
    assert len(second["data"]) == 4 and {a["slug"] for a in second["data"]}.isdisjoint(
        a["slug"] for a in included["author_articles"]["data"]
    )


def test_only_the_parts_asked_for_are_embedded(session, client):
    slug, _ = _newsroom(session, by_author=1)

    comments_only = client.get(f"/api/v1/articles/{slug}", params={"include": "comments"}).json()
    plain = client.get(f"/api/v1/articles/{slug}")

    assert set(comments_only["included"]) == {"comments"}
    assert comments_only["included"]["comments"]["data"] == []
    assert "included" not in plain.json()
    assert {k: v for k, v in comments_only.items() if k != "included"} == plain.json()


def test_the_plain_article_keeps_the_etag_editors_send_back(session, client, editor):
    slug, _ = _newsroom(session, by_author=1)
    tag = client.get(f"/api/v1/articles/{slug}").headers["etag"]

    edited = client.patch(
        f"/api/v1/articles/{slug}", json={"subtitle": "Work starts at dawn"}, headers=editor | {"If-Match": tag}
    )

    assert edited.status_code == 200, edited.text


def test_an_embedded_comment_changes_the_page_etag_and_its_purge_keys(session, client, api_key):
    slug, author = _newsroom(session, by_author=1)
    url = f"/api/v1/articles/{slug}?include=comments,author_articles"
    before = client.get(url)
    assert client.get(url, headers={"If-None-Match": before.headers["etag"]}).status_code == 304

    approve(client, api_key("comments:moderate"), reply(client, slug).json()["id"])
    after = client.get(url)

    assert after.headers["etag"] != before.headers["etag"]
    assert [c["content_html"] for c in after.json()["included"]["comments"]["data"]] != []
    purge_keys = after.headers["surrogate-key"].split()
    assert {f"article:{slug}", f"comments:{slug}", f"author:{author}", "articles"} <= set(purge_keys)


def test_unknown_parts_are_refused_naming_the_parameter(session, client):
    slug, _ = _newsroom(session, by_author=0)

    refused = client.get(f"/api/v1/articles/{slug}", params={"include": "comments,ads"})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["parameter"] == "include"
    assert "'ads'" in refused.json()["errors"][0]["detail"]


def test_fields_send_only_the_named_fields_of_an_article(session, client):
    slug, _ = _newsroom(session, by_author=0)

    sparse = client.get(f"/api/v1/articles/{slug}", params={"fields": "slug,title,authors.name,section"})

    assert sparse.status_code == 200
    assert sparse.json() == {
        "slug": slug,
        "title": "Harbour dredging begins",
        "authors": [{"name": "Alok Verma"}],
        "section": None,
    }
    assert sparse.headers["etag"].startswith('"')
    assert client.get(sparse.url, headers={"If-None-Match": sparse.headers["etag"]}).status_code == 304


def test_fields_keep_what_include_embeds(session, client):
    slug, _ = _newsroom(session, by_author=2)

    sparse = client.get(f"/api/v1/articles/{slug}", params={"fields": "title", "include": "author_articles"}).json()

    assert set(sparse) == {"title", "included"}
    assert len(sparse["included"]["author_articles"]["data"]) == 3


def test_fields_apply_to_every_item_of_a_list_and_follow_its_pages(session, client):
    _, author = _newsroom(session, by_author=4)

    first = client.get("/api/v1/articles", params={"fields": "slug,published_at", "limit": 3})
    more = client.get(first.json()["links"]["next"]).json()

    assert first.status_code == 200
    assert all(set(item) == {"slug", "published_at"} for item in first.json()["data"] + more["data"])
    assert first.json()["meta"]["total"] == 5 and len(more["data"]) == 2
    assert first.headers["link"].startswith("<") and "fields=" in first.headers["link"]
    by_author = client.get(f"/api/v1/authors/{author}/articles", params={"fields": "title"}).json()
    assert by_author["data"][0] == {"title": "Harbour dredging begins"}


def test_fields_of_related_articles_include_their_scores(session, client):
    slug, _ = _newsroom(session, by_author=3)

    related = client.get(f"/api/v1/articles/{slug}/related", params={"fields": "slug,score,reasons"}).json()

    assert len(related["data"]) == 3
    assert all(set(item) == {"slug", "score", "reasons"} for item in related["data"])


def test_unknown_fields_are_refused_naming_the_parameter(session, client):
    slug, _ = _newsroom(session, by_author=0)

    for url, fields in [
        (f"/api/v1/articles/{slug}", "slug,headline"),
        (f"/api/v1/articles/{slug}", "authors.email"),
        (f"/api/v1/articles/{slug}", "title.text"),
        ("/api/v1/articles", "slug,,title"),
        ("/api/v1/articles", "body"),
    ]:
        refused = client.get(url, params={"fields": fields})
        assert refused.status_code == 422, (url, fields)
        assert refused.json()["errors"][0]["parameter"] == "fields", refused.text


def test_the_openapi_document_describes_both_parameters(client):
    operations = client.get("/openapi.json").json()["paths"]
    article = {p["name"]: p for p in operations["/api/v1/articles/{slug}"]["get"]["parameters"]}
    listing = {p["name"] for p in operations["/api/v1/articles"]["get"]["parameters"]}

    assert "related, comments, author_articles" in article["include"]["description"]
    assert "authors.name" in article["fields"]["description"]
    assert "fields" in listing
    schema = operations["/api/v1/articles/{slug}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["$ref"].endswith("/ArticlePage")
