from tests.factories.newsroom import make_article


def test_every_update_is_a_revision_naming_who_and_what(client, session, api_key, clock):
    article = make_article(session, title="First headline")
    desk = api_key("content:write", name="night-desk")
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Second headline"}, headers=desk)
    revisions = client.get(f"/api/v1/articles/{article.slug}/revisions", headers=desk).json()
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[0]["actor"] == "night-desk" and revisions[0]["changed_fields"] == ["title"]
    second = client.get(f"/api/v1/articles/{article.slug}/revisions/2", headers=desk).json()
    assert second["changes"] == {"title": {"from": "First headline", "to": "Second headline"}}
    assert second["snapshot"]["title"] == "Second headline"


def test_an_update_that_changes_nothing_adds_no_revision(client, session, editor):
    article = make_article(session, title="Same")
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Same"}, headers=editor)
    assert len(client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()) == 1


def test_restoring_a_revision_brings_back_its_content(client, session, editor):
    article = make_article(session, title="Original", tags=["Budget"])
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Rewritten", "tags": ["Tax"]}, headers=editor)
    restored = client.post(f"/api/v1/articles/{article.slug}/revisions/1/restore", headers=editor)
    assert restored.status_code == 200
    assert restored.json()["title"] == "Original"
    assert [t["slug"] for t in restored.json()["tags"]] == ["budget"]
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()[0]["number"] == 3


def test_unknown_revision_is_a_404_problem(client, session, editor):
    article = make_article(session)
    response = client.get(f"/api/v1/articles/{article.slug}/revisions/99", headers=editor)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/problems/revision-not-found")


def test_revisions_are_for_editors_only(client, session, api_key):
    article = make_article(session)
    assert client.get(f"/api/v1/articles/{article.slug}/revisions").status_code == 401
    assert (
        client.get(f"/api/v1/articles/{article.slug}/revisions", headers=api_key("content:preview")).status_code == 403
    )
