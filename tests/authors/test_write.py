from tests.factories.newsroom import make_article, make_author


def test_editor_adds_an_author_with_a_generated_slug(client, editor):
    response = client.post(
        "/api/v1/authors",
        json={
            "name": "Ana Lúcia Ferreira",
            "role": "Lisbon Correspondent",
            "links": [{"label": "Site", "url": "https://example.com/ana"}],
        },
        headers=editor,
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "ana-lucia-ferreira"
    assert client.get("/api/v1/authors/ana-lucia-ferreira").json()["role"] == "Lisbon Correspondent"


def test_author_with_a_taken_slug_is_a_409(client, session, editor):
    make_author(session, slug="alok-verma", name="Alok Verma")
    response = client.post("/api/v1/authors", json={"name": "Alok Verma"}, headers=editor)
    assert response.status_code == 409


def test_invalid_author_link_names_the_field(client, editor):
    response = client.post(
        "/api/v1/authors", json={"name": "X", "links": [{"label": "Site", "url": "ftp://x"}]}, headers=editor
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/links/0/url"


def test_renaming_an_author_shows_in_their_articles(client, session, editor):
    article = make_article(session)
    author = article.authors[0]
    client.patch(f"/api/v1/authors/{author.slug}", json={"name": "New Name"}, headers=editor)
    assert client.get(f"/api/v1/articles/{article.slug}").json()["authors"][0]["name"] == "New Name"


def test_author_with_articles_cannot_be_deleted_without_reassigning(client, session, editor):
    article = make_article(session)
    author = article.authors[0]
    response = client.delete(f"/api/v1/authors/{author.slug}", headers=editor)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/problems/author-has-articles")
    assert client.get(f"/api/v1/authors/{author.slug}").status_code == 200


def test_deleting_with_reassign_hands_over_the_bylines(client, session, editor):
    leaving, staying = make_author(session), make_author(session)
    solo = make_article(session, authors=[leaving.slug])
    shared = make_article(session, authors=[staying.slug, leaving.slug])
    response = client.delete(f"/api/v1/authors/{leaving.slug}?reassign_to={staying.slug}", headers=editor)
    assert response.status_code == 204
    assert client.get(f"/api/v1/authors/{leaving.slug}").status_code == 404
    for article in (solo, shared):
        assert [a["slug"] for a in client.get(f"/api/v1/articles/{article.slug}").json()["authors"]] == [staying.slug]
    assert client.get(f"/api/v1/authors/{staying.slug}").json()["article_count"] == 2


def test_author_without_articles_is_deleted(client, session, editor):
    author = make_author(session)
    assert client.delete(f"/api/v1/authors/{author.slug}", headers=editor).status_code == 204


def test_reassigning_to_an_unknown_or_the_same_author_names_the_parameter(client, session, editor):
    author = make_article(session).authors[0]
    for heir in ("nobody-by-that-name", author.slug):
        response = client.delete(f"/api/v1/authors/{author.slug}?reassign_to={heir}", headers=editor)
        assert response.status_code == 422 and response.json()["errors"][0]["parameter"] == "reassign_to"
    assert client.get(f"/api/v1/authors/{author.slug}").status_code == 200
