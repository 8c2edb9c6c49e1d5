"""Adding pictures: what the library records, and every refusal as a problem document."""

import http.server
from pathlib import Path

import pytest

from tests.media.pictures import bomb_png, photo
from tests.server import serving


def test_upload_answers_with_size_hash_renditions_and_placeholder(upload, media_key, client):
    r = upload(
        photo(1200, 800), alt="The council chamber", credit="Staff", licence="CC0-1.0", source="https://example.org/p"
    )
    assert r.status_code == 201
    media = r.json()
    assert (media["width"], media["height"], media["format"]) == (1200, 800, "jpeg")
    assert len(media["content_hash"]) == 64 and media["bytes"] > 0
    assert media["alt"] == "The council chamber" and media["licence"] == "CC0-1.0"
    assert media["source_url"] == "https://example.org/p"
    assert media["uploaded_by"] == "picture-desk"
    assert media["focal_point"] == {"x": 0.5, "y": 0.5}
    assert media["placeholder"].startswith("data:image/webp;base64,")
    widths = [int(part.split()[1][:-1]) for part in media["srcset"].split(", ")]
    assert widths == [320, 640, 1024, 1200]
    assert media["url"].endswith("/1024.jpg")
    assert set(media["crops"]) == {"1:1", "4:3", "16:9"}
    assert r.headers["location"].endswith(f"/api/v1/media/{media['id']}")


def test_a_picture_turned_by_exif_is_measured_upright(upload):
    media = upload(photo(600, 400, orientation=6)).json()
    assert (media["width"], media["height"]) == (400, 600)


def test_format_is_judged_by_content_not_name(upload):
    media = upload(photo(400, 300, kind="PNG"), filename="looks-like.jpg").json()
    assert media["format"] == "png"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"just some text, not a picture",
        photo(100, 100, kind="BMP"),
    ],
    ids=["svg-with-prolog", "svg", "text", "bmp"],
)
def test_what_is_not_a_supported_picture_is_refused_with_415(upload, data):
    r = upload(data)
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/problems/unsupported-media")


def test_a_truncated_picture_is_refused_with_422(upload):
    r = upload(photo(800, 600)[:2000])
    assert r.status_code == 422 and r.json()["type"].endswith("/problems/unreadable-image")


@pytest.mark.parametrize("size", [(9_000, 9_000), (200_000, 200_000)], ids=["over-our-limit", "over-pillows-limit"])
def test_a_decompression_bomb_is_refused_from_its_header(upload, size):
    r = upload(bomb_png(*size), filename="bomb.png")
    # 422 would mean it was decoded (its data is a few bytes): 413 comes from the header alone.
    assert r.status_code == 413
    assert r.json()["type"].endswith("/problems/media-too-large")


def test_a_file_over_the_byte_limit_is_refused_with_413(client, media_key, settings):
    too_big = b"\xff\xd8" + b"\0" * (settings.media_max_bytes + 70_000)
    r = client.post("/api/v1/media", files={"file": ("big.jpg", too_big, "image/jpeg")}, headers=media_key)
    assert r.status_code == 413


def test_a_filename_never_becomes_a_path(upload, settings):
    media = upload(photo(300, 200), filename="../../etc/passwd.jpg").json()
    assert media["filename"] == "passwd.jpg"
    root = Path(settings.media_directory)
    stored = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    assert stored == [f"originals/{media['content_hash']}"]


def test_uploads_need_the_media_scope(upload, api_key):
    r = upload(photo(), headers=api_key("content:write"))
    assert r.status_code == 403 and r.json()["type"].endswith("/problems/missing-scope")


def test_invalid_fields_name_their_pointer(upload):
    r = upload(photo(), focal_x="2")
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "#/focal_point/x"


def test_a_body_that_is_no_upload_is_a_problem_naming_the_body(upload):
    r = upload(photo(), **{f"extra{n}": "x" for n in range(12)})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["pointer"] == "#/" and "fields" in r.json()["errors"][0]["detail"]


@pytest.fixture
def limited(settings):
    settings.media_uploads_per_key = 2
    return settings


def test_uploads_are_limited_per_key(limited, upload, api_key):
    assert [upload(photo(64, 64)).status_code for _ in range(2)] == [201, 201]
    r = upload(photo(64, 64))
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["type"].endswith("/problems/too-many-uploads")
    assert upload(photo(64, 64), headers=api_key("media:write")).status_code == 201


@pytest.fixture(scope="module")
def picture_server():
    """A loopback HTTP server answering /photo.jpg with a picture, and 404 otherwise."""
    body = photo(500, 300)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/photo.jpg"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_a_picture_is_fetched_from_its_source_url(client, media_key, picture_server):
    r = client.post(
        "/api/v1/media", json={"source_url": f"{picture_server}/photo.jpg", "alt": "Fetched"}, headers=media_key
    )
    assert r.status_code == 201
    assert (r.json()["width"], r.json()["source_url"]) == (500, f"{picture_server}/photo.jpg")


def test_a_source_that_fails_is_a_problem_naming_the_field(client, media_key, picture_server):
    r = client.post("/api/v1/media", json={"source_url": f"{picture_server}/missing.jpg"}, headers=media_key)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "#/source_url"


def test_a_source_at_a_private_address_is_refused(client, media_key):
    r = client.post("/api/v1/media", json={"source_url": "http://10.1.2.3/photo.jpg"}, headers=media_key)
    assert r.status_code == 422 and r.json()["type"].endswith("/problems/media-source-unavailable")
