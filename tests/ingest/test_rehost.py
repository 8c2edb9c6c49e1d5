"""`byline ingest --rehost-media`: pictures named by URL fetched into the library from a loopback
server the settings allow, the articles then naming them by id; a picture that cannot be fetched
stays at its URL and is reported."""

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.articles.models import Article
from app.db.engines import build_engine
from app.media.models import Media
from tests.ingest.helpers import ndjson, record
from tests.media.pictures import photo
from tests.server import run_in_process, serving

FIXTURE = Path(__file__).parent / "fixtures" / "newsroom.wxr.xml"
HALL = photo(600, 400)


class _Pictures(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        found = self.path == "/wp-content/uploads/hall.jpg"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(HALL) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(HALL)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pictures() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pictures)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_port}"


def test_pictures_are_fetched_into_the_library_and_articles_name_them(database_url, tmp_path, pictures):
    export = tmp_path / "site.wxr.xml"
    export.write_text(FIXTURE.read_text().replace("https://daily.example/wp-content/", f"{pictures}/wp-content/"))
    broken = tmp_path / "broken.ndjson"
    broken.write_bytes(ndjson(record(1, featured_image={"url": f"{pictures}/gone.jpg", "alt": "Gone"})))
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_MEDIA_DIR": str(tmp_path / "media"),
        "BYLINE_ALLOWED_INTERNAL_HOSTS": '["127.0.0.1"]',
    }
    done = run_in_process("ingest", "--rehost-media", str(export), str(broken), env=env, check=False)
    assert f"Kept at its URL: {pictures}/gone.jpg: {pictures}/gone.jpg answered 404" in done.stderr.replace("\n", "")
    with Session(build_engine(database_url)) as session:
        (hall,) = session.exec(select(Media)).all()
        assert (hall.source_url, hall.alt, hall.width) == (
            f"{pictures}/wp-content/uploads/hall.jpg",
            "The city hall",
            600,
        )
        featured = {a.external_id: a.featured_image for a in session.exec(select(Article))}
    assert featured["ext-1"] == {"url": f"{pictures}/gone.jpg", "alt": "Gone"}
    shown = [image for image in featured.values() if image and image.get("media_id") == hall.id]
    assert shown and all(image["media"]["width"] == 600 for image in shown)

    again = run_in_process("ingest", "--rehost-media", str(export), env=env).stderr
    assert "pictures added" not in again and "pictures already in the library" in again
