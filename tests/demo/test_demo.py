from pathlib import Path

import pytest
from sqlmodel import Session

from app.demo.loader import add_demo, demo_photo
from app.demo.removal import Removed, remove_demo
from app.media.collection import Library, open_library

LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"
PHOTOS = 13


@pytest.fixture
def library(settings) -> Library:
    """The media library of the test's app (`client`): the same settings, so the same folder."""
    return open_library(settings)


def load(engine, library: Library) -> int:
    with Session(engine) as session:
        added = add_demo(session, library)
        session.commit()
    return added


def test_demo_lead_article_is_served(client, engine, library):
    load(engine, library)
    lead = client.get(f"/api/v1/articles/{LEAD}").json()
    assert lead["title"] == "Terror Strikes Moscow: IS-K Claims Responsibility for Deadly Attack"
    assert lead["subtitle"]
    assert lead["section"]["name"] == "World"
    assert [tag["name"] for tag in lead["tags"]] == ["Islamic State", "Moscow", "Russia", "Security", "Terrorism"]
    assert sum(block["type"] == "heading" for block in lead["body"]) == 4
    alok = lead["authors"][0]
    assert (alok["name"], alok["role"]) == ("Alok Verma", "International Reporter") and alok["bio"]


def test_demo_newsroom_has_enough_to_browse(client, engine, library):
    load(engine, library)
    articles = client.get("/api/v1/articles?limit=100").json()
    assert articles["meta"]["total"] == 14 and len(articles["data"]) == 14
    assert client.get("/api/v1/authors").json()["meta"]["total"] == 7
    sections = {"business", "culture", "politics", "science", "technology", "world"}
    assert {a["section"]["slug"] for a in articles["data"]} == sections
    lead_tags = {t["slug"] for t in client.get(f"/api/v1/articles/{LEAD}").json()["tags"]}
    sharing = [a for a in articles["data"] if a["slug"] != LEAD and lead_tags & {t["slug"] for t in a["tags"]}]
    assert len(sharing) == 5
    assert len(client.get(f"/api/v1/articles/{LEAD}/related").json()["data"]) == 5


def test_loading_demo_twice_adds_nothing(client, engine, library, api_key):
    photo_desk = api_key("media:write")

    def totals() -> list[int]:
        return [
            client.get(f"/api/v1/{name}", headers=photo_desk).json()["meta"]["total"]
            for name in ("articles", "authors", "sections", "tags", "media")
        ]

    added = load(engine, library)
    before = totals()
    assert load(engine, library) == 0
    assert totals() == before and before[0] == added and before[-1] == PHOTOS


def test_demo_stories_are_dated_as_told_not_as_installed(client, engine, library):
    load(engine, library)
    lead = client.get(f"/api/v1/articles/{LEAD}").json()
    # Its correction is the last change readers saw.
    assert (lead["published_at"], lead["updated_at"]) == ("2024-03-23T19:40:00Z", "2024-03-23T22:10:00Z")
    assert lead["structured_data"]["dateModified"].startswith("2024-03-23T22:10:00")
    # The newest story, the Taiwan earthquake, dates the sitemap.
    assert "<lastmod>2024-04-03T11:45:00" in client.get("/sitemap.xml").text
    feed = client.get("/feeds/feed.json").json()
    assert feed["items"] and all(item["date_modified"].startswith("2024-") for item in feed["items"])


def remove(engine, library: Library, clock) -> Removed:
    with Session(engine) as session:
        return remove_demo(session, library, now=clock.now)


def test_removing_the_demo_leaves_nothing_of_it(client, engine, library, clock, settings, api_key):
    load(engine, library)
    lead_picture = client.get(f"/api/v1/articles/{LEAD}").json()["featured_image"]["url"]
    assert client.get(lead_picture).status_code == 200
    assert remove(engine, library, clock) == Removed(articles=14, authors=7, sections=6, tags=34, photos=PHOTOS)
    for listing in ("articles", "authors", "sections", "tags"):
        assert client.get(f"/api/v1/{listing}").json()["meta"]["total"] == 0
    assert client.get("/api/v1/media", headers=api_key("media:write")).json()["meta"]["total"] == 0
    assert client.get(f"/api/v1/articles/{LEAD}").status_code == 404
    # The files went with them, renditions made on request included.
    assert client.get(lead_picture).status_code == 404
    assert [
        path for path in Path(settings.media_directory).rglob("*") if path.is_file() and ".locks" not in path.parts
    ] == []


def test_removing_the_demo_again_removes_nothing(engine, library, clock):
    load(engine, library)
    remove(engine, library, clock)
    assert remove(engine, library, clock) == Removed(articles=0, authors=0, sections=0, tags=0, photos=0)


def test_removing_the_demo_keeps_the_newsroom_own_articles_and_what_they_use(
    client, engine, library, clock, editor, api_key
):
    load(engine, library)
    storm = client.get(f"/api/v1/articles/{LEAD}").json()["featured_image"]["media_id"]
    own = {
        "title": "Moscow Metro Reopens",
        "authors": ["alok-verma"],
        "section": "world",
        "tags": ["Russia", "Transport"],
        "status": "published",
        "featured_image": {"media_id": storm},
        "body": [{"type": "paragraph", "text": "Trains ran again on Saturday."}],
    }
    assert client.post("/api/v1/articles", json=own, headers=editor).status_code == 201
    # An article the newsroom wrote under a slug the demo would use is not the demo's.
    assert client.delete(f"/api/v1/articles/{LEAD}?hard=true", headers=api_key("admin")).status_code == 204
    taken = own | {"title": "Terror Strikes Moscow: IS-K Claims Responsibility for Deadly Attack", "tags": []}
    assert client.post("/api/v1/articles", json=taken, headers=editor).status_code == 201

    removed = remove(engine, library, clock)

    assert (removed.articles, removed.photos) == (13, PHOTOS - 1)
    slugs = {a["slug"] for a in client.get("/api/v1/articles").json()["data"]}
    assert slugs == {"moscow-metro-reopens", LEAD}
    assert client.get("/api/v1/authors/alok-verma").status_code == 200
    assert client.get("/api/v1/sections/world").status_code == 200
    assert {t["slug"] for t in client.get("/api/v1/tags").json()["data"]} == {"russia", "transport"}
    kept = client.get("/api/v1/media", headers=api_key("media:write")).json()["data"]
    assert [item["id"] for item in kept] == [storm]
    assert (
        client.get(client.get("/api/v1/articles/moscow-metro-reopens").json()["featured_image"]["url"]).status_code
        == 200
    )


def test_the_demo_shows_a_photograph_already_in_the_library_and_leaves_it_there(
    client, engine, library, clock, api_key
):
    photo_desk = api_key("media:write")
    espresso = demo_photo("espresso.jpg")
    sent = client.post("/api/v1/media", files={"file": ("mine.jpg", espresso, "image/jpeg")}, headers=photo_desk)
    own = sent.json()["id"]
    load(engine, library)
    stories = client.get("/api/v1/articles", params={"limit": 100}).json()["data"]
    cocoa = next(story["slug"] for story in stories if story["title"].startswith("Cocoa Prices"))
    assert client.get(f"/api/v1/articles/{cocoa}").json()["featured_image"]["media_id"] == own
    assert client.get("/api/v1/media", headers=photo_desk).json()["meta"]["total"] == PHOTOS

    assert remove(engine, library, clock).photos == PHOTOS - 1
    assert [item["id"] for item in client.get("/api/v1/media", headers=photo_desk).json()["data"]] == [own]
