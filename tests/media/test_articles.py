"""Articles showing library pictures: what reads carry, and a change to a picture reaching them."""

import pytest

from tests.factories.newsroom import make_author
from tests.ingest.helpers import record, send
from tests.media.pictures import photo


@pytest.fixture
def picture(upload):
    return upload(photo(1600, 900), alt="Library alt", caption="Library caption", credit="Agency").json()


@pytest.fixture
def article(client, session, editor, picture):
    body = {
        "title": "Harbour reopens",
        "authors": [make_author(session).slug],
        "status": "published",
        "featured_image": {"media_id": picture["id"]},
        "body": [
            {"type": "paragraph", "text": "Boats are back."},
            {"type": "image", "media_id": picture["id"], "alt": "Own alt"},
        ],
    }
    r = client.post("/api/v1/articles", json=body, headers=editor)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_featured_library_picture_reads_with_its_size_renditions_and_words(client, article, picture):
    image = client.get(f"/api/v1/articles/{article['slug']}").json()["featured_image"]
    assert image["media_id"] == picture["id"]
    assert (image["width"], image["height"]) == (1600, 900)
    assert (image["alt"], image["caption"], image["credit"]) == ("Library alt", "Library caption", "Agency")
    assert image["url"] == picture["url"] and image["srcset"] == picture["srcset"]
    assert image["focal_point"] == {"x": 0.5, "y": 0.5} and image["placeholder"] == picture["placeholder"]
    assert len(image["srcset"].split(", ")) >= 3


def test_an_image_block_keeps_its_own_alt_and_renders_srcset(client, article):
    read = client.get(f"/api/v1/articles/{article['slug']}").json()
    block = read["body"][1]
    assert block["alt"] == "Own alt" and block["caption"] == "Library caption" and block["width"] == 1600
    assert 'srcset="' in read["body_html"] and 'width="1600"' in read["body_html"]


def test_json_ld_and_open_graph_carry_the_image_size(client, article):
    page = client.get(f"/api/v1/articles/{article['slug']}").json()
    assert page["structured_data"]["image"][0]["width"] == 1024
    assert page["structured_data"]["image"][0]["height"] == 576
    assert page["seo"]["open_graph"]["og:image:width"] == "1024"


def test_feeds_enclose_the_featured_picture(client, article, picture):
    rss = client.get("/feeds/rss.xml").text
    assert f'<enclosure url="{picture["url"]}"' in rss
    assert client.get("/feeds/feed.json").json()["items"][0]["image"] == picture["url"]


def test_an_alt_text_change_reaches_a_cached_article_read(client, article, picture, media_key):
    path = f"/api/v1/articles/{article['slug']}"
    assert client.get(path).json()["featured_image"]["alt"] == "Library alt"
    # Served from the response cache now.
    assert client.get(path).json()["featured_image"]["alt"] == "Library alt"
    client.patch(f"/api/v1/media/{picture['id']}", json={"alt": "Corrected alt"}, headers=media_key)
    read = client.get(path).json()
    assert read["featured_image"]["alt"] == "Corrected alt"
    # The block set its own alt, which the library's change leaves alone.
    assert read["body"][1]["alt"] == "Own alt"


def test_a_picture_an_article_shows_cannot_be_deleted(client, article, picture, media_key):
    r = client.delete(f"/api/v1/media/{picture['id']}", headers=media_key)
    assert r.status_code == 409 and r.json()["articles"] == [article["slug"]]


def test_an_unknown_media_id_is_refused_naming_the_field(client, session, editor):
    body = {"title": "No such picture", "authors": [make_author(session).slug], "featured_image": {"media_id": 424242}}
    r = client.post("/api/v1/articles", json=body, headers=editor)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "#/featured_image/media_id"


def test_an_external_url_is_still_taken(client, session, editor):
    image = {"url": "https://images.example/cat.jpg", "alt": "A cat"}
    body = {"title": "Cat", "authors": [make_author(session).slug], "featured_image": image}
    r = client.post("/api/v1/articles", json=body, headers=editor)
    assert r.status_code == 201 and r.json()["featured_image"]["url"] == image["url"]


def test_an_ingested_record_shows_library_pictures_as_the_api_does(client, editor, picture, media_key):
    image = {"type": "image", "media_id": picture["id"], "alt": "Own alt"}
    first = record(1, featured_image={"media_id": picture["id"]})
    second = record(2, body=[*record(2)["body"], image])
    slugs = [result["slug"] for result in send(client, editor, first, second).json()["results"]]
    read = client.get(f"/api/v1/articles/{slugs[0]}").json()["featured_image"]
    assert read["width"] == 1600 and read["srcset"] == picture["srcset"] and read["alt"] == "Library alt"
    r = client.delete(f"/api/v1/media/{picture['id']}", headers=media_key)
    assert r.status_code == 409 and sorted(r.json()["articles"]) == sorted(slugs)
    # Updated by a second import: the article no longer shows it.
    assert send(client, editor, record(1), record(2)).status_code == 200
    assert client.delete(f"/api/v1/media/{picture['id']}", headers=media_key).status_code == 204


def test_an_ingested_record_naming_an_unknown_picture_fails_alone(client, editor):
    r = send(client, editor, record(1, featured_image={"media_id": 424242}), record(2))
    assert [result["status"] for result in r.json()["results"]] == ["failed", "created"]


def test_a_cropped_picture_reads_as_its_crop_everywhere(client, session, editor, picture, media_key):
    body = {
        "title": "Square harbour",
        "authors": [make_author(session).slug],
        "status": "published",
        "featured_image": {"media_id": picture["id"], "crop": "1:1"},
        "body": [{"type": "image", "media_id": picture["id"], "crop": "16:9"}],
    }
    slug = client.post("/api/v1/articles", json=body, headers=editor).json()["slug"]
    read = client.get(f"/api/v1/articles/{slug}").json()
    image = read["featured_image"]
    assert image["crop"] == "1:1" and (image["width"], image["height"]) == (900, 900)
    assert image["url"].endswith("/900-1x1-500-500.jpg") and "-1x1-500-500.jpg 320w" in image["srcset"]
    assert image["sources"][0]["srcset"] == picture["crops"]["1:1"]
    shown = {"@type": "ImageObject", "url": image["url"], "width": 900, "height": 900}
    assert read["structured_data"]["image"][0] == shown
    assert read["seo"]["open_graph"]["og:image:height"] == "900"
    assert f'<enclosure url="{image["url"]}"' in client.get("/feeds/rss.xml").text
    assert read["body"][0]["crop"] == "16:9" and 'width="1600" height="900"' in read["body_html"]
    # The crop is served, and follows a new focal point.
    assert client.get(image["url"]).status_code == 200
    client.patch(f"/api/v1/media/{picture['id']}", json={"focal_point": {"x": 0.2, "y": 0.5}}, headers=media_key)
    moved = client.get(f"/api/v1/articles/{slug}").json()["featured_image"]
    assert moved["crop"] == "1:1" and moved["url"].endswith("/900-1x1-200-500.jpg")


@pytest.mark.parametrize(
    ("image", "pointer"),
    [
        ({"media_id": 1, "crop": "3:2"}, "#/featured_image/crop"),
        ({"url": "https://images.example/cat.jpg", "crop": "1:1"}, "#/featured_image/crop"),
    ],
)
def test_an_unknown_crop_or_a_crop_of_an_external_picture_is_refused(client, session, editor, image, pointer):
    body = {"title": "Odd crop", "authors": [make_author(session).slug], "featured_image": image}
    r = client.post("/api/v1/articles", json=body, headers=editor)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == pointer
