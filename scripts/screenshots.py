"""The example site's article page and the desk's main screens as PNGs for the docs
(docs/assets/frontend-article.png, docs/assets/desk-*.png), 1280 px wide: the demo newsroom served
from a scratch database, seen in headless Chromium by a reader, an editor and a moderator.

    .venv/bin/python scripts/screenshots.py
"""

import io
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.models import Scope  # noqa: E402
from app.auth.passwords import passwords  # noqa: E402
from app.auth.roles import Role  # noqa: E402
from app.auth.service import issue_key  # noqa: E402
from app.auth.users import create_user  # noqa: E402
from app.core.clock import utcnow  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.db.engines import build_engine  # noqa: E402
from tests.browser import chromium, waiting  # noqa: E402
from tests.desk import PASSWORD, Desk  # noqa: E402
from tests.server import free_port, running_server  # noqa: E402

EDITOR, MODERATOR = "editor@example.org", "moderator@example.org"
ASSETS = ROOT / "docs" / "assets"
WIDTH, HEIGHT = 1280, 900
# The story the tutorial shows, down to its lead photograph's caption.
STORY, STORY_HEIGHT = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack", 1200


def newsroom(folder: Path, port: int) -> dict[str, str]:
    """The settings of a demo newsroom in `folder` served on `port`, with its database made and filled
    (the demo's photographs in the media folder beside it, at that port's URLs)."""
    env = {
        "BYLINE_DATABASE_URL": f"sqlite:///{folder / 'byline.db'}",
        "BYLINE_PORT": str(port),
        "BYLINE_SECRET_KEY": secrets.token_urlsafe(32),
        "BYLINE_CACHE_MAX_AGE": "0",
        # Quick to check: these accounts live only as long as the script.
        "BYLINE_PASSWORD_TIME_COST": "1",
        "BYLINE_PASSWORD_MEMORY_KIB": "8192",
    }
    os.environ.update(env)
    byline = str(Path(sys.executable).parent / "byline")
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([byline, *command], check=True, capture_output=True)  # noqa: S603  # our own command
    return env


def people_and_key(settings: Settings) -> str:
    engine = build_engine(settings.database_url)
    with Session(engine) as session:
        for email, role, name in ((EDITOR, Role.editor, "Ana Ruiz"), (MODERATOR, Role.moderator, "Sam Okafor")):
            create_user(
                session,
                email=email,
                name=name,
                role=role,
                sections=[],
                password=PASSWORD,
                passwords=passwords(settings),
                now=utcnow(),
            )
        _, plain = issue_key(
            session,
            secret_key=settings.secret_key.get_secret_value(),
            name="screens",
            scopes=[Scope.admin],
            now=utcnow(),
        )
    engine.dispose()
    return plain


def seeded(base: str, key: dict[str, str]) -> str:
    """A `home` collection, a few comments waiting for a moderator and the lead story's photograph
    cropped 16:9; the slug of the lead story."""
    stories = httpx.get(f"{base}/api/v1/articles", params={"limit": 5}).raise_for_status().json()["data"]
    order = {"title": "Home", "max_items": 4, "items": [{"article": story["slug"]} for story in stories]}
    order["items"][0]["label"] = "Live"
    httpx.put(f"{base}/api/v1/collections/home", json=order, headers=key).raise_for_status()
    lead = stories[0]["slug"]
    picture = {"media_id": stories[0]["featured_image"]["media_id"], "crop": "16:9"}
    httpx.patch(f"{base}/api/v1/articles/{lead}", json={"featured_image": picture}, headers=key).raise_for_status()
    for number, content in enumerate(
        (
            "Sources: [one](https://a.example) [two](https://b.example) [three](https://c.example)",
            "Well reported, thank you.",
            "BUY CHEAP WATCHES https://spam.example https://spam.example/2 https://spam.example/3",
        )
    ):
        comment = {"author_name": f"Reader {number}", "author_email": f"reader{number}@example.com", "content": content}
        httpx.post(f"{base}/api/v1/articles/{lead}/comments", json=comment)
    return lead


def shoot(desk: Desk, name: str) -> None:
    """The window as a palette PNG, once its pictures are in: the desk's flat colours keep it small."""
    desk.wait_for(lambda: desk.driver.execute_script("return [...document.images].every((image) => image.complete)"))
    png = Image.open(io.BytesIO(desk.driver.get_screenshot_as_png())).convert("RGB")
    path = ASSETS / f"desk-{name}.png"
    png.quantize(colors=128).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def story(driver: webdriver.Chrome, base: str) -> None:
    """The tutorial's story in the example site, once its lead photograph is in, in full colour."""
    driver.set_window_size(WIDTH, STORY_HEIGHT)
    driver.get(f"{base}/article.html?slug={STORY}")
    waiting(driver).until(
        lambda driver: driver.execute_script(
            "const img = document.querySelector('.story figure.featured img');"
            "return img && img.complete && img.naturalWidth > 0 && !img.classList.contains('placeholder')"
        )
    )
    path = ASSETS / "frontend-article.png"
    Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB").save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = newsroom(Path(folder), port)
        key = {"Authorization": f"Bearer {people_and_key(Settings())}"}
        with running_server(env, port=port) as base:
            driver = chromium(f"--window-size={WIDTH},{HEIGHT}")
            try:
                story(driver, base)
                lead = seeded(base, key)
                driver.set_window_size(WIDTH, HEIGHT)
                desk = Desk(base, driver, key, env["BYLINE_DATABASE_URL"])
                desk.signed_in_as(EDITOR, "/desk?status=published")
                shoot(desk, "stories")
                desk.open(f"/desk/edit?slug={lead}")
                shoot(desk, "editor")
                desk.open("/desk/collections")
                shoot(desk, "collections")
                desk.open("/desk/collection?slug=home")
                shoot(desk, "collection")
                desk.signed_in_as(MODERATOR, "/desk/moderation")
                desk.driver.find_element(By.XPATH, "//button[text()='Show thread']").click()
                desk.find(".thread")
                shoot(desk, "moderation")
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
