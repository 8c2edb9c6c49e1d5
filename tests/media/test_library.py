"""The library's items: reading, changing, listing and deleting them."""

from datetime import timedelta
from pathlib import Path

from tests.media.pictures import photo


def test_an_item_reads_back_and_its_words_change(client, upload, media_key):
    media = upload(photo(640, 480), alt="Before").json()
    assert client.get(f"/api/v1/media/{media['id']}", headers=media_key).json()["alt"] == "Before"
    r = client.patch(
        f"/api/v1/media/{media['id']}",
        json={"alt": "After", "caption": "A caption", "focal_point": {"x": 0.2, "y": 0.8}},
        headers=media_key,
    )
    assert r.status_code == 200
    changed = r.json()
    assert (changed["alt"], changed["caption"], changed["focal_point"]) == ("After", "A caption", {"x": 0.2, "y": 0.8})
    assert "-200-800.webp" in changed["crops"]["1:1"]


def test_a_missing_item_is_a_404_problem(client, media_key):
    r = client.get("/api/v1/media/999999", headers=media_key)
    assert r.status_code == 404 and r.json()["type"].endswith("/problems/media-not-found")


def test_the_library_is_not_open_to_anonymous_readers(client, upload):
    media = upload(photo(64, 64)).json()
    assert client.get(f"/api/v1/media/{media['id']}").status_code == 401
    assert client.get("/api/v1/media").status_code == 401


def test_the_list_walks_newest_first_with_filters(client, upload, media_key, clock):
    ids = []
    for n in range(3):
        clock.now += timedelta(seconds=1)
        ids.append(upload(photo(64 + n, 64, kind="PNG" if n == 1 else "JPEG"), alt=f"Harbour {n}").json()["id"])
    first = client.get("/api/v1/media", params={"limit": 2}, headers=media_key).json()
    assert [m["id"] for m in first["data"]] == [ids[2], ids[1]] and first["meta"]["total"] == 3
    rest = client.get("/api/v1/media", params={"limit": 2, "cursor": first["meta"]["next_cursor"]}, headers=media_key)
    assert [m["id"] for m in rest.json()["data"]] == [ids[0]]
    pngs = client.get("/api/v1/media", params={"format": "png"}, headers=media_key).json()
    assert [m["id"] for m in pngs["data"]] == [ids[1]]
    words = client.get("/api/v1/media", params={"q": "harbour 2"}, headers=media_key).json()
    assert [m["id"] for m in words["data"]] == [ids[2]]


def test_deleting_removes_the_files_of_the_last_item_naming_them(client, upload, media_key, settings):
    media = upload(photo(400, 300)).json()
    client.get(media["url"].removeprefix("http://testserver"))
    assert client.delete(f"/api/v1/media/{media['id']}", headers=media_key).status_code == 204
    assert client.get(f"/api/v1/media/{media['id']}", headers=media_key).status_code == 404
    assert client.get(media["url"].removeprefix("http://testserver")).status_code == 404
    assert not [p for p in Path(settings.media_directory).rglob("*") if p.is_file() and ".locks" not in p.parts]
