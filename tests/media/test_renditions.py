"""Serving renditions: exactly the width listed, cached for good, HEAD, Range and ETag, no metadata."""

import threading

import pytest

from app.media.renditions import Renderer, render
from app.media.sizes import Rendition
from app.media.storage import LocalStorage, original_key
from tests.media.pictures import GPS, opened, photo


def _urls(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (part.split() for part in srcset.split(", "))]


@pytest.fixture
def media(upload):
    return upload(photo(1200, 800, gps=True), alt="A street").json()


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_each_listed_rendition_has_exactly_its_width(client, media):
    for url, width in _urls(media["srcset"]) + _urls(media["sources"][0]["srcset"]):
        r = client.get(_path(url))
        assert r.status_code == 200, url
        image = opened(r.content)
        assert image.size == (width, round(width * 800 / 1200))
        assert image.format == ("WEBP" if url.endswith(".webp") else "JPEG")
        assert r.headers["content-type"] in ("image/webp", "image/jpeg")


def test_crops_keep_their_ratio(client, media):
    for ratio, srcset in media["crops"].items():
        across, down = map(int, ratio.split(":"))
        for url, width in _urls(srcset)[:2]:
            assert opened(client.get(_path(url)).content).size == (width, round(width * down / across))


def test_renditions_carry_no_exif(client, media):
    url, _ = _urls(media["srcset"])[0]
    image = opened(client.get(_path(url)).content)
    assert not image.getexif() and GPS not in image.getexif() and "icc_profile" not in image.info


def test_a_rendition_is_cached_for_good_with_etag_head_and_range(client, media):
    url = _path(media["url"])
    r = client.get(url)
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = r.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == len(r.content)
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == r.content[:100]


def test_a_rendition_is_sent_from_memory_once_made_with_the_same_bytes_and_headers(client, media):
    url = _path(media["url"])
    made = client.get(url)
    again = client.get(url)
    assert (made.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert again.content == made.content
    for name in ("content-type", "content-length", "cache-control", "etag", "last-modified", "surrogate-key"):
        assert again.headers[name] == made.headers[name], name
    assert again.headers["surrogate-key"] == f"media:{media['id']}"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == made.content[10:20]


def test_a_deleted_picture_is_no_longer_sent_from_memory(client, media, media_key):
    url = _path(media["url"])
    client.get(url)
    assert client.get(url).headers["x-cache"] == "HIT"
    assert client.delete(f"/api/v1/media/{media['id']}", headers=media_key).status_code == 204
    assert client.get(url).status_code == 404


def test_a_crop_around_an_old_focal_point_is_no_longer_sent_once_it_moves(client, media, media_key):
    crop = _path(_urls(next(iter(media["crops"].values())))[0][0])
    client.get(crop)
    assert client.get(crop).headers["x-cache"] == "HIT"
    moved = client.patch(f"/api/v1/media/{media['id']}", json={"focal_point": {"x": 0.1, "y": 0.9}}, headers=media_key)
    assert moved.status_code == 200
    assert client.get(crop).status_code == 404


@pytest.mark.parametrize(
    "name", ["1600.jpg", "999.webp", "320.gif", "640-2x1-500-500.webp", "../../x", "320-1x1-0-0.webp"]
)
def test_a_rendition_the_picture_does_not_list_is_not_found(client, media, name):
    r = client.get(f"/media/{media['content_hash']}/{name}")
    assert r.status_code in (404, 422)


def test_a_rendition_is_made_once_however_many_ask_at_once(tmp_path):
    storage = LocalStorage(tmp_path)
    saves: list[str] = []
    original_save = storage.save

    def counted(key: str, data: bytes, *, content_type: str) -> None:
        saves.append(key)
        original_save(key, data, content_type=content_type)

    storage.save = counted  # type: ignore[method-assign]
    storage.save(original_key("a" * 64), photo(800, 600), content_type="image/jpeg")
    renderer = Renderer(storage, concurrency=2)
    start = threading.Barrier(6)
    found = []

    def ask() -> None:
        start.wait()
        found.append(renderer.file("a" * 64, 800, 600, Rendition(640, "webp")))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and saves.count(f"renditions/{'a' * 64}/640.webp") == 1


def _red(image, x: int, y: int) -> bool:
    r, g, b = image.convert("RGB").getpixel((x, y))
    return r > 180 and g < 80 and b < 80


def test_a_rendition_is_turned_upright_by_its_exif_orientation():
    # Orientation 6 shows the picture turned a quarter clockwise: the red top-left block goes top-right.
    image = opened(render(photo(600, 400, orientation=6), 400, 600, Rendition(320, "jpg")))
    assert image.size == (320, 480) and _red(image, 310, 10) and not _red(image, 10, 10)


@pytest.mark.parametrize(("focus", "red_corner"), [((0, 0), True), ((1000, 1000), False)])
def test_a_crop_is_cut_around_its_focal_point(focus, red_corner):
    image = opened(render(photo(1200, 800), 1200, 800, Rendition(320, "webp", (1, 1), focus)))
    assert image.size == (320, 320) and _red(image, 5, 5) is red_corner
