"""The demo's photographs: each story's picture loads in every size it lists, each file has its
source and licence recorded, and an installed package carries them."""

import io
import json
import re
import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from app.demo.loader import add_demo, demo_content
from app.media.collection import open_library

DEMO = Path(str(files("app.demo")))
PHOTOS = DEMO / "photos"
# File | Licence | Author | From | What it shows
SOURCE_ROW = re.compile(r"^\| ([\w.-]+\.jpg) \| ([^|]+) \|", re.MULTILINE)


def _widths(srcset: str) -> dict[str, int]:
    return {url: int(width.removesuffix("w")) for url, width in (entry.split() for entry in srcset.split(", "))}


def test_every_demo_story_leads_with_a_photograph_that_loads_at_the_size_it_lists(client, engine, settings):
    with Session(engine) as session:
        add_demo(session, open_library(settings))
        session.commit()
    stories = client.get("/api/v1/articles", params={"limit": 100}).json()["data"]
    assert len(stories) == 14
    for story in stories:
        picture = client.get(f"/api/v1/articles/{story['slug']}").json()["featured_image"]
        assert picture["media_id"] and picture["alt"] and picture["caption"] and picture["credit"]
        assert picture["placeholder"].startswith("data:image/webp;base64,")
        widths = _widths(picture["srcset"])
        # 320, 640, 1024 and the original's own width when narrower than the next: three once it is over 640.
        assert len(widths) >= 3 or picture["width"] <= 640
        assert max(widths.values()) == min(picture["width"], 2048) and picture["url"] in widths
        answer = client.get(picture["url"])
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(answer.content)) as shown:
            assert shown.width == widths[picture["url"]]
            assert abs(shown.height - picture["height"] * shown.width / picture["width"]) <= 1


def test_every_photograph_has_its_source_and_licence_recorded():
    recorded = dict(SOURCE_ROW.findall((PHOTOS / "SOURCES.md").read_text(encoding="utf-8")))
    shipped = sorted(path.name for path in PHOTOS.iterdir() if path.name != "SOURCES.md")
    assert sorted(recorded) == shipped
    loaded = {photo["file"]: photo["licence"] for photo in demo_content()["photos"]}
    assert loaded == {name: licence.strip() for name, licence in recorded.items()}
    # A credit names the author and the terms, as attribution licences ask.
    assert all(photo["credit"] and photo["alt"] and photo["caption"] for photo in demo_content()["photos"])


def test_the_photographs_are_small_stripped_jpegs():
    sizes = 0
    for path in PHOTOS.glob("*.jpg"):
        with Image.open(path) as photo:
            assert photo.format == "JPEG" and photo.width <= 1600
            assert not photo.getexif() and "icc_profile" not in photo.info and "xmp" not in photo.info
        sizes += path.stat().st_size
    assert sizes < 3 * 1024 * 1024


def test_an_installed_package_carries_the_demo_and_its_photographs():
    patterns = tomllib.loads((DEMO.parent.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "app.demo"
    ]
    shipped = [path.relative_to(DEMO).as_posix() for path in DEMO.rglob("*") if path.is_file() and path.suffix != ".py"]
    data = [name for name in shipped if "__pycache__" not in name]
    assert "photos/SOURCES.md" in data
    assert all(any(fnmatch(name, pattern) for pattern in patterns) for name in data)


def test_the_demo_names_no_picture_that_cannot_load():
    # Its authors have no portraits with a licence to ship, so none rather than a broken image.
    addresses = re.findall(r"https?://[^\s\"']+\.(?:jpe?g|png|webp|gif|avif|svg)", json.dumps(demo_content()))
    assert addresses == []
