from datetime import timedelta

from tests.factories.newsroom import make_article, make_author, make_section


def test_author_profile_counts_only_published_articles(client, session, clock):
    author = make_author(
        session,
        slug="alok-verma",
        name="Alok Verma",
        role="International Reporter",
        links=[{"label": "Website", "url": "https://example.com/alok"}],
    )
    make_article(session, authors=[author.slug])
    make_article(session, authors=[author.slug])
    make_article(session, authors=[author.slug], status="draft")
    make_article(
        session, authors=[author.slug], status="scheduled", published_at=clock.now + timedelta(days=1), now=clock.now
    )
    data = client.get("/api/v1/authors/alok-verma").json()
    assert data["name"] == "Alok Verma" and data["role"] == "International Reporter"
    assert data["links"] == [{"label": "Website", "url": "https://example.com/alok"}]
    assert data["article_count"] == 2


def test_unknown_author_is_a_404_problem(client):
    response = client.get("/api/v1/authors/nobody")
    assert response.status_code == 404
    assert response.json()["type"] == "http://testserver/problems/author-not-found"


def test_authors_are_listed_by_name_with_counts(client, session):
    zoe = make_author(session, name="Zoe Adams")
    amir = make_author(session, name="Amir Khan")
    make_article(session, authors=[zoe.slug, amir.slug])
    make_article(session, authors=[amir.slug])
    data = client.get("/api/v1/authors").json()
    assert [(a["name"], a["article_count"]) for a in data["data"]] == [("Amir Khan", 2), ("Zoe Adams", 1)]
    assert data["meta"]["total"] == 2


def test_author_directory_pages_cover_everyone_once(client, session):
    names = {make_author(session, name=f"Writer {i % 3}").slug for i in range(7)}
    seen, url = [], "/api/v1/authors?limit=2"
    while url:
        page = client.get(url).json()
        seen += [a["slug"] for a in page["data"]]
        url = page["links"]["next"]
    assert sorted(seen) == sorted(names)


def test_more_by_author_lists_their_articles_newest_first(client, session):
    author = make_author(session)
    older = make_article(session, authors=[author.slug])
    newer = make_article(
        session, authors=[make_author(session).slug, author.slug], published_at=older.published_at + timedelta(hours=1)
    )
    make_article(session)
    response = client.get(f"/api/v1/authors/{author.slug}/articles?limit=1")
    assert [a["slug"] for a in response.json()["data"]] == [newer.slug]
    assert response.json()["meta"]["total"] == 2
    rest = client.get(response.json()["links"]["next"]).json()
    assert [a["slug"] for a in rest["data"]] == [older.slug]


def test_articles_of_unknown_author_is_a_404_problem(client):
    assert client.get("/api/v1/authors/nobody/articles").status_code == 404


def test_directory_cursor_after_a_long_non_latin_name_is_accepted(client, session):
    make_author(session, name="Ж" * 120, slug="long-cyrillic")
    make_author(session, name="Я" * 120, slug="another-long-cyrillic")
    first = client.get("/api/v1/authors?limit=1").json()
    response = client.get(first["links"]["next"])
    assert response.status_code == 200
    assert [a["slug"] for a in response.json()["data"]] == ["another-long-cyrillic"]


def test_authors_and_sections_known_only_from_drafts_stay_hidden_from_readers(client, session, api_key):
    make_section(session, slug="investigations", name="Investigations")
    make_section(session, slug="empty", name="Empty")
    secret = make_article(session, status="draft", section="investigations")
    reporter = secret.authors[0].slug
    directory = {"authors": reporter, "sections": "investigations"}
    for kind, slug in directory.items():
        listed = [item["slug"] for item in client.get(f"/api/v1/{kind}").json()["data"]]
        assert slug not in listed and client.get(f"/api/v1/{kind}/{slug}").status_code == 404
    assert "empty" in [s["slug"] for s in client.get("/api/v1/sections").json()["data"]]
    preview = api_key("content:preview")
    for kind, slug in directory.items():
        assert client.get(f"/api/v1/{kind}/{slug}", headers=preview).status_code == 200
    make_article(session, authors=[reporter], section="investigations")
    for kind, slug in directory.items():
        assert client.get(f"/api/v1/{kind}/{slug}").status_code == 200
