import pytest
from sqlmodel import select

from app.articles.models import Article
from tests.factories.newsroom import make_article, make_author, make_section

BODY = [{"type": "heading", "text": "What we know"}, {"type": "paragraph", "text": "Officials confirmed the figures."}]


def draft(**overrides) -> dict:
    return {"title": "Budget vote delayed", "authors": ["alok-verma"], "body": BODY} | overrides


def test_editor_creates_a_draft_only_editors_can_see(client, session, editor):
    make_author(session, slug="alok-verma", name="Alok Verma")
    response = client.post("/api/v1/articles", json=draft(tags=["Budget", "City Hall"]), headers=editor)
    assert response.status_code == 201
    created = response.json()
    assert created["slug"] == "budget-vote-delayed" and created["status"] == "draft"
    assert response.headers["Location"] == "http://testserver/api/v1/articles/budget-vote-delayed"
    assert response.headers["ETag"]
    assert [t["slug"] for t in created["tags"]] == ["budget", "city-hall"]
    assert client.get("/api/v1/articles/budget-vote-delayed").status_code == 404
    assert client.get("/api/v1/articles/budget-vote-delayed", headers=editor).json()["title"] == "Budget vote delayed"


def test_invalid_article_names_the_field(client, session, editor):
    make_author(session, slug="alok-verma", name="Alok Verma")
    cases = [
        (draft(title="x" * 301), "#/title"),
        (draft(title=""), "#/title"),
        (draft(body=[{"type": "heading", "level": 9, "text": "Too deep"}]), "#/body/0/heading/level"),
        (draft(body=[{"type": "image", "url": "javascript:alert(1)"}]), "#/body/0/image/url"),
        (draft(authors=["nobody"]), "#/authors"),
        (draft(section="no-such-section"), "#/section"),
        (draft(authors=[]), "#/authors"),
        (draft(slug="Not A Slug"), "#/slug"),
        (draft(status="scheduled"), "#/published_at"),
    ]
    for payload, pointer in cases:
        response = client.post("/api/v1/articles", json=payload, headers=editor)
        assert response.status_code == 422, payload
        assert response.headers["content-type"] == "application/problem+json"
        assert pointer in [e.get("pointer") for e in response.json()["errors"]], (pointer, response.json())


def test_taken_slug_is_a_409(client, session, editor):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_article(session, slug="budget-vote-delayed")
    response = client.post("/api/v1/articles", json=draft(slug="budget-vote-delayed"), headers=editor)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/problems/slug-taken")


def test_patch_changes_only_what_is_sent(client, session, editor):
    make_section(session, slug="politics", name="Politics")
    article = make_article(session, subtitle="Old dek")
    response = client.patch(
        f"/api/v1/articles/{article.slug}", json={"title": "New headline", "section": "politics"}, headers=editor
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["subtitle"], data["section"]["slug"]) == ("New headline", "Old dek", "politics")
    assert client.get(f"/api/v1/articles/{article.slug}").json()["title"] == "New headline"


def test_byline_can_be_reordered(client, session, editor):
    first, second = make_author(session), make_author(session)
    article = make_article(session, authors=[first.slug, second.slug])
    response = client.patch(
        f"/api/v1/articles/{article.slug}", json={"authors": [second.slug, first.slug]}, headers=editor
    )
    assert [a["slug"] for a in response.json()["authors"]] == [second.slug, first.slug]


def test_failed_update_leaves_the_article_as_it_was(client, session, editor):
    article = make_article(session, title="Original")
    response = client.patch(
        f"/api/v1/articles/{article.slug}", json={"title": "Changed", "authors": ["ghost"]}, headers=editor
    )
    assert response.status_code == 422
    assert client.get(f"/api/v1/articles/{article.slug}").json()["title"] == "Original"
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()["data"][0]["number"] == 1


def test_unknown_fields_in_a_patch_are_refused(client, session, editor):
    article = make_article(session)
    response = client.patch(f"/api/v1/articles/{article.slug}", json={"headline": "typo"}, headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/headline"


@pytest.mark.parametrize("field", ["title", "authors", "body", "tags", "status", "comments_open"])
def test_a_field_articles_always_have_cannot_be_patched_to_null(client, session, editor, field):
    article = make_article(session, tags=["Budget"])
    response = client.patch(f"/api/v1/articles/{article.slug}", json={field: None}, headers=editor)
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == f"#/{field}"
    assert client.get(f"/api/v1/articles/{article.slug}").json()["tags"][0]["name"] == "Budget"


@pytest.mark.parametrize("field", ["subtitle", "featured_image", "section", "canonical_url"])
def test_null_clears_an_optional_field(client, session, editor, field):
    make_section(session, slug="politics", name="Politics")
    image = {"url": "https://img.example/a.jpg", "alt": "A council meeting"}
    article = make_article(
        session, subtitle="Dek", featured_image=image, section="politics", canonical_url="https://news.example/a"
    )
    response = client.patch(f"/api/v1/articles/{article.slug}", json={field: None}, headers=editor)
    assert response.status_code == 200 and response.json()[field] is None


def test_old_slug_redirects_to_the_new_one(client, session, editor):
    article = make_article(session, slug="first-slug")
    client.patch("/api/v1/articles/first-slug", json={"slug": "better-slug"}, headers=editor)
    response = client.get("/api/v1/articles/first-slug?utm=x", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["Location"] == "http://testserver/api/v1/articles/better-slug?utm=x"
    assert client.get("/api/v1/articles/first-slug").json()["slug"] == "better-slug"
    moved = client.patch("/api/v1/articles/first-slug", json={"subtitle": "x"}, headers=editor, follow_redirects=False)
    assert moved.status_code == 308
    assert article.id == session.exec(select(Article.id).where(Article.slug == "better-slug")).one()


def test_redirect_does_not_reveal_an_unpublished_article(client, session, editor):
    make_article(session, slug="secret-draft", status="draft")
    client.patch("/api/v1/articles/secret-draft", json={"slug": "secret-draft-v2"}, headers=editor)
    assert client.get("/api/v1/articles/secret-draft", follow_redirects=False).status_code == 404


def test_delete_archives_and_hard_delete_needs_admin(client, session, editor, api_key):
    article = make_article(session)
    assert client.delete(f"/api/v1/articles/{article.slug}", headers=editor).status_code == 204
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 404
    assert client.get(f"/api/v1/articles/{article.slug}", headers=editor).json()["status"] == "archived"
    assert client.delete(f"/api/v1/articles/{article.slug}?hard=true", headers=editor).status_code == 403
    assert client.delete("/api/v1/articles/no-such-article?hard=true", headers=editor).status_code == 403
    assert client.delete(f"/api/v1/articles/{article.slug}?hard=true", headers=api_key("admin")).status_code == 204
    assert client.get(f"/api/v1/articles/{article.slug}", headers=editor).status_code == 404


def test_correction_is_shown_to_readers(client, session, editor):
    article = make_article(session)
    response = client.post(
        f"/api/v1/articles/{article.slug}/corrections",
        json={"text": "The vote was on Tuesday, not Monday."},
        headers=editor,
    )
    assert response.status_code == 201
    corrections = client.get(f"/api/v1/articles/{article.slug}").json()["corrections"]
    assert [c["text"] for c in corrections] == ["The vote was on Tuesday, not Monday."]


def test_a_former_slug_stays_with_its_article(client, session, editor):
    moved = make_article(session, title="Budget vote", status="published")
    client.patch("/api/v1/articles/budget-vote", json={"slug": "budget-vote-delayed"}, headers=editor)
    newcomer = make_article(session, title="Budget vote", status="draft")
    assert newcomer.slug == "budget-vote-2"
    taken = client.post(
        "/api/v1/articles",
        json={"title": "Other", "slug": "budget-vote", "authors": [moved.authors[0].slug]},
        headers=editor,
    )
    assert taken.status_code == 409
    assert client.get("/api/v1/articles/budget-vote", follow_redirects=False).status_code == 308
    back = client.patch("/api/v1/articles/budget-vote-delayed", json={"slug": "budget-vote"}, headers=editor)
    assert back.status_code == 200 and client.get("/api/v1/articles/budget-vote").json()["slug"] == "budget-vote"
