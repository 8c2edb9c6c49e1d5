from tests.factories.newsroom import make_article


def test_every_update_is_a_revision_naming_who_and_what(client, session, api_key, clock):
    article = make_article(session, title="First headline")
    desk = api_key("content:write", name="night-desk")
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Second headline"}, headers=desk)
    revisions = client.get(f"/api/v1/articles/{article.slug}/revisions", headers=desk).json()["data"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[0]["actor"] == "night-desk" and revisions[0]["changed_fields"] == ["title"]
    second = client.get(f"/api/v1/articles/{article.slug}/revisions/2", headers=desk).json()
    assert second["changes"] == {"title": {"from": "First headline", "to": "Second headline"}}
    assert second["snapshot"]["title"] == "Second headline"


def test_an_update_that_changes_nothing_adds_no_revision(client, session, editor):
    article = make_article(session, title="Same")
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Same"}, headers=editor)
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()["meta"]["total"] == 1


def test_restoring_a_revision_brings_back_its_content(client, session, editor):
    article = make_article(session, title="Original", tags=["Budget"])
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Rewritten", "tags": ["Tax"]}, headers=editor)
    restored = client.post(f"/api/v1/articles/{article.slug}/revisions/1/restore", headers=editor)
    assert restored.status_code == 200
    assert restored.json()["title"] == "Original"
    assert [t["slug"] for t in restored.json()["tags"]] == ["budget"]
    assert client.get(f"/api/v1/articles/{article.slug}/revisions", headers=editor).json()["data"][0]["number"] == 3


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


def test_revisions_come_a_page_at_a_time_like_every_list(client, session, editor):
    article = make_article(session, title="Draft 1")
    for n in (2, 3):
        client.patch(f"/api/v1/articles/{article.slug}", json={"title": f"Draft {n}"}, headers=editor)
    first = client.get(f"/api/v1/articles/{article.slug}/revisions?limit=2", headers=editor)
    assert [r["number"] for r in first.json()["data"]] == [3, 2]
    assert first.json()["meta"]["total"] == 3
    assert first.headers["Link"] == f'<{first.json()["links"]["next"]}>; rel="next"'
    rest = client.get(first.json()["links"]["next"], headers=editor).json()
    assert [r["number"] for r in rest["data"]] == [1]
    assert rest["meta"]["next_cursor"] is None and rest["links"]["next"] is None


def test_a_revisions_cursor_the_api_did_not_issue_is_a_422_naming_it(client, session, editor):
    article = make_article(session)
    response = client.get(f"/api/v1/articles/{article.slug}/revisions?cursor=bm90LW91cnM", headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "cursor"
