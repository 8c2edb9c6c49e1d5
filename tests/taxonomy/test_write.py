from tests.factories.newsroom import make_article, make_section


def test_editor_creates_and_renames_a_section(client, editor):
    created = client.post("/api/v1/sections", json={"name": "Climate", "description": "Our planet"}, headers=editor)
    assert created.status_code == 201 and created.json()["slug"] == "climate"
    renamed = client.patch("/api/v1/sections/climate", json={"name": "Climate & Energy"}, headers=editor)
    assert renamed.json()["name"] == "Climate & Energy"
    assert client.get("/api/v1/sections/climate").json()["description"] == "Our planet"


def test_section_with_articles_needs_a_successor_to_be_deleted(client, session, editor):
    make_section(session, slug="old", name="Old")
    make_section(session, slug="new", name="New")
    article = make_article(session, section="old")
    assert client.delete("/api/v1/sections/old", headers=editor).status_code == 409
    assert client.delete("/api/v1/sections/old?reassign_to=new", headers=editor).status_code == 204
    assert client.get(f"/api/v1/articles/{article.slug}").json()["section"]["slug"] == "new"


def test_tag_rename_and_delete_reach_the_articles(client, session, editor):
    article = make_article(session, tags=["Elections", "Budget"])
    client.patch("/api/v1/tags/elections", json={"name": "Elections 2025"}, headers=editor)
    assert "Elections 2025" in [t["name"] for t in client.get(f"/api/v1/articles/{article.slug}").json()["tags"]]
    assert client.delete("/api/v1/tags/budget", headers=editor).status_code == 204
    assert [t["slug"] for t in client.get(f"/api/v1/articles/{article.slug}").json()["tags"]] == ["elections"]


def test_tags_with_one_slug_but_different_names_stay_apart(client, session):
    c = make_article(session, tags=["C"])
    cpp = make_article(session, tags=["C++"])
    assert [t["name"] for t in client.get(f"/api/v1/articles/{c.slug}").json()["tags"]] == ["C"]
    assert [t["name"] for t in client.get(f"/api/v1/articles/{cpp.slug}").json()["tags"]] == ["C++"]


def test_duplicate_section_slug_is_a_409(client, session, editor):
    make_section(session, slug="world", name="World")
    assert client.post("/api/v1/sections", json={"name": "World"}, headers=editor).status_code == 409


def test_a_section_cannot_take_over_its_own_articles(client, session, editor):
    make_section(session, slug="world", name="World")
    make_article(session, section="world")
    response = client.delete("/api/v1/sections/world?reassign_to=world", headers=editor)
    assert response.status_code == 422 and response.json()["errors"][0]["parameter"] == "reassign_to"


def test_a_name_cannot_be_patched_to_null(client, session, editor):
    make_section(session, slug="world", name="World")
    response = client.patch("/api/v1/sections/world", json={"name": None}, headers=editor)
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "#/name"
