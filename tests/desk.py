"""The desk driven in a real headless Chromium: a page object the desk's browser tests share, and
axe-core's verdict on the page shown."""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.passwords import passwords
from app.auth.roles import Role
from app.auth.service import issue_key
from app.auth.users import create_user
from app.core.clock import utcnow
from app.core.settings import Settings
from app.db.engines import build_engine
from tests import loopback
from tests.browser import chromium, console_errors, first_shown, waiting
from tests.conftest import TEST_SECRET
from tests.server import running_server

PASSWORD = "correct horse battery staple"
AXE = (resources.files("selenium_axe_python") / "axe-core" / "axe.min.js").read_text()


@dataclass
class Desk:
    base: str
    driver: webdriver.Chrome
    key: dict[str, str]
    database_url: str

    def open(self, path: str) -> None:
        self.driver.get(f"{self.base}{path}")
        self.settle()

    def settle(self) -> None:
        waiting(self.driver).until(
            lambda driver: driver.execute_script(
                "const main = document.getElementById('main');"
                "return main && !main.hasAttribute('aria-busy') && main.children.length > 0"
            )
        )

    def find(self, css: str) -> WebElement:
        return self.wait_for(lambda: first_shown(self.driver, css))

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, condition, message: str = ""):  # noqa: ANN001, ANN201
        # A screen may replace what the condition looks at while it looks.
        wait = waiting(self.driver, ignored=(StaleElementReferenceException,))
        return wait.until(lambda driver: condition(), message)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.find("input[name=email]").clear()
        self.find("input[name=email]").send_keys(email)
        self.find("input[name=password]").send_keys(password, Keys.ENTER)

    def signed_in_as(self, email: str, path: str) -> None:
        self.open(path)
        if self.find_all("#nav:not([hidden])"):
            self.find("#sign-out").click()
            self.find("input[name=email]")
            self.open(path)
        self.sign_in(email)
        self.wait_for(lambda: self.driver.current_url == f"{self.base}{path}", f"back at {path}")
        self.settle()

    def saved(self) -> None:
        self.wait_for(lambda: self.find(".save-state").text.startswith("Saved"), "saved")

    def article(self, slug: str) -> dict:
        url = f"{self.base}/api/v1/articles/{slug}"
        return loopback.get(url, headers=self.key, params={"status": "draft"}).raise_for_status().json()

    def draft(self, title: str) -> str:
        body = {"title": title, "authors": ["alok-verma"], "body": [{"type": "paragraph", "text": "First."}]}
        created = loopback.post(f"{self.base}/api/v1/articles", json=body, headers=self.key)
        return created.raise_for_status().json()["slug"]


@contextmanager
def desk_served(
    database_url: str, settings: Settings, people: Sequence[tuple[str, Role]], port: int | None = None, **env: str
) -> Iterator[Desk]:
    """`byline serve` on the database (on `port`, or a free one), with these people's accounts
    (password PASSWORD) and an admin key, seen through a new headless Chromium; `env` adds settings."""
    engine = build_engine(database_url)
    with Session(engine) as session:
        for email, role in people:
            create_user(
                session,
                email=email,
                name=role.value.title(),
                role=role,
                sections=[],
                password=PASSWORD,
                passwords=passwords(settings),
                now=utcnow(),
            )
        _, plain = issue_key(session, secret_key=TEST_SECRET, name="desk", scopes=[Scope.admin], now=utcnow())
    engine.dispose()
    served = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_CACHE_MAX_AGE": "0",
        "BYLINE_CACHE_STALE_WHILE_REVALIDATE": "0",
        "BYLINE_PASSWORD_TIME_COST": str(settings.password_time_cost),
        "BYLINE_PASSWORD_MEMORY_KIB": str(settings.password_memory_kib),
        "BYLINE_PASSWORD_PARALLELISM": str(settings.password_parallelism),
    }
    with running_server(served | env, port=port) as base:
        driver = chromium()
        try:
            yield Desk(base, driver, {"Authorization": f"Bearer {plain}"}, database_url)
        finally:
            driver.quit()


@contextmanager
def only_refused_requests(desk: Desk) -> Iterator[None]:
    """The pages may log the API's refusals they handle (401 before signing in, 403, 412, 422),
    nothing else: no script error and no policy violation."""
    desk.driver.set_window_size(1280, 1000)
    console_errors(desk.driver)
    yield
    for message in console_errors(desk.driver):
        assert re.match(r"\S+/api/v1/\S+ - Failed to load resource: .* status of 4(01|03|12|22)", message), message


def violations(desk: Desk) -> list:
    # The desk's screens share one document: axe-core is sent to the browser once for each.
    if not desk.driver.execute_script("return typeof axe !== 'undefined'"):
        desk.driver.execute_script(AXE)
    result = desk.driver.execute_async_script(
        "axe.run(document, {resultTypes: ['violations']}).then(arguments[arguments.length - 1])"
    )
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3]) for violation in result["violations"]
    ]


def fits_and_passes_axe(desk: Desk, path: str) -> None:
    """The screen at `path`, opened at 375 px: axe-core finds nothing and nothing scrolls sideways.
    Prints how soon after navigation it was ready."""
    desk.driver.set_window_size(375, 900)
    desk.open(path)
    ready = desk.driver.execute_script("return performance.getEntriesByName('desk-ready').at(-1).startTime")
    print(f"\n{path} ready {round(ready)} ms after navigation")
    assert violations(desk) == [], path
    assert fits(desk), f"{path} scrolls sideways at 375 px"
    desk.driver.set_window_size(1280, 1000)


def fits(desk: Desk) -> bool:
    """Whether the page shown fits the window's width, with nothing to scroll sideways to."""
    viewport, page = desk.driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
    return page <= viewport
