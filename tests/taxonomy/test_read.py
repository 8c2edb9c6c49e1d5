from tests.factories.newsroom import make_article, make_section


def test_sections_are_listed_with_published_article_counts(client, session):
    make_section(session, slug="world", name="World", description="International news")
    make_section(session, slug="business", name="Business")
    make_article(session, section="world")
    make_article(session, section="world")
    make_article(session, section="world", status="draft")
    data = client.get("/api/v1/sections").json()
    assert [(s["slug"], s["article_count"]) for s in data["data"]] == [("business", 0), ("world", 2)]
    assert data["data"][1]["description"] == "International news"


def test_section_detail_and_unknown_section(client, session):
    make_section(session, slug="world", name="World")
    make_article(session, section="world")
    assert client.get("/api/v1/sections/world").json()["article_count"] == 1
    response = client.get("/api/v1/sections/sport")
    assert response.status_code == 404
    assert response.json()["type"] == "http://testserver/problems/section-not-found"


def test_tags_are_created_from_names_and_counted(client, session):
    make_article(session, tags=["Climate Change", "climate change", "Energy"])
    make_article(session, tags=["Energy"])
    data = client.get("/api/v1/tags").json()
    assert [(t["slug"], t["name"], t["article_count"]) for t in data["data"]] == [
        ("climate-change", "Climate Change", 1),
        ("energy", "Energy", 2),
    ]


def test_tag_detail_and_unknown_tag(client, session):
    make_article(session, tags=["Energy"])
    assert client.get("/api/v1/tags/energy").json() == {"slug": "energy", "name": "Energy", "article_count": 1}
    assert client.get("/api/v1/tags/nothing").status_code == 404


def test_tag_list_pages_with_cursor(client, session):
    make_article(session, tags=[f"Topic {i}" for i in range(5)])
    first = client.get("/api/v1/tags?limit=3").json()
    second = client.get(first["links"]["next"]).json()
    assert len(first["data"]) == 3 and len(second["data"]) == 2
    assert second["links"]["next"] is None
