"""The desk in a real headless Chromium against a real `byline serve` with the demo newsroom: signing
in, writing a story by keyboard and publishing it to the example site, a contributor kept from
publishing, two editors in one story, sessions ended from elsewhere, an invitation accepted from its
emailed link and a second factor asked for, axe-core on every screen and every screen at phone width."""

import re
from collections.abc import Iterator

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlmodel import Session

from app.auth.roles import Role
from app.core.settings import Settings
from app.db.engines import build_engine
from tests import loopback
from tests.browser import chromium, console_errors
from tests.conftest import migrated_sqlite
from tests.desk import PASSWORD, Desk, desk_served, only_refused_requests, violations
from tests.factories.people import emailed_link
from tests.media.pictures import photo
from tests.server import demo_loaded, free_port

EDITOR, CONTRIBUTOR = "editor@example.org", "contributor@example.org"


@pytest.fixture(scope="module")
def desk(tmp_path_factory, sqlite_template, suite_settings: Settings) -> Iterator[Desk]:
    database_url = migrated_sqlite(sqlite_template, tmp_path_factory.mktemp("desk"))
    port = free_port()
    demo_loaded(database_url, port=port)
    people = ((EDITOR, Role.editor), (CONTRIBUTOR, Role.contributor))
    with desk_served(database_url, suite_settings, people, port=port) as desk:
        yield desk


@pytest.fixture(autouse=True)
def _only_refused_requests_in_the_console(desk) -> Iterator[None]:
    with only_refused_requests(desk):
        yield


def test_an_editor_signs_in_writes_a_story_by_keyboard_and_publishes_it(desk, tmp_path):
    desk.open("/desk/new")
    # Signed out, the desk asks who you are and comes back to where you were going.
    assert desk.driver.current_url.endswith("/desk/sign-in?next=%2Fdesk%2Fnew")
    desk.sign_in(EDITOR, "not the password")
    assert desk.find(".alert p").text
    assert desk.find("input[name=email]").get_attribute("aria-invalid") == "true"
    desk.find("input[name=password]").clear()
    desk.sign_in(EDITOR)
    title = desk.find("input[name=title]")
    desk.wait_for(lambda: desk.driver.current_url == f"{desk.base}/desk/new")
    assert desk.driver.switch_to.active_element == title

    title.send_keys("Harbour <b>reopens</b> at dawn")
    desk.find("textarea[name=subtitle]").send_keys("Boats went out before sunrise.")
    desk.find("select[name=section]").send_keys("World")
    desk.find("input[name=tags]").send_keys("Harbour, Dawn")
    desk.find("input[name=author-search]").send_keys("Alok")
    desk.find("[data-add-author=alok-verma]").send_keys(Keys.ENTER)
    assert desk.driver.switch_to.active_element.get_attribute("name") == "author-search"
    desk.find(".blocks textarea").send_keys("The first boats left at five.")
    desk.find("[data-add=heading]").send_keys(Keys.ENTER)
    desk.driver.switch_to.active_element.send_keys("What the fishers said")
    # The heading goes first, by keyboard; the focus follows it.
    desk.find(".block-heading .up").send_keys(Keys.ENTER)
    assert desk.driver.switch_to.active_element.get_attribute("aria-label") == "Move Heading 1 down"
    # A video of the quay as an embed: an address and a title, kept as a link the site may upgrade.
    desk.find("[data-add=embed]").send_keys(Keys.ENTER)
    desk.driver.switch_to.active_element.send_keys("https://video.example.org/quay-at-dawn")
    desk.find(".block-embed input[name=embed-title]").send_keys("The quay at dawn")
    # A picture uploaded to the library from the editor, with its text alternative.
    (tmp_path / "harbour.jpg").write_bytes(photo(600, 400))
    desk.find("[data-add=image]").send_keys(Keys.ENTER)
    desk.find(".picker input[name=file]").send_keys(str(tmp_path / "harbour.jpg"))
    desk.find(".picker input[name=alt]").send_keys("Boats in the harbour")
    desk.find(".picker button[name=upload]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: desk.find_all(".block-image img.thumb"))
    assert desk.driver.switch_to.active_element.get_attribute("value") == "Boats in the harbour"
    desk.saved()
    slug = re.search(r"/desk/edit\?slug=([\w-]+)$", desk.driver.current_url)[1]
    article = desk.article(slug)
    assert article["title"] == "Harbour <b>reopens</b> at dawn" and article["status"] == "draft"
    assert article["section"]["slug"] == "world" and [a["slug"] for a in article["authors"]] == ["alok-verma"]
    assert {tag["name"] for tag in article["tags"]} == {"Harbour", "Dawn"}
    assert [block["type"] for block in article["body"]] == ["heading", "paragraph", "embed", "image"]
    embed = article["body"][2]
    assert (embed["url"], embed["title"]) == ("https://video.example.org/quay-at-dawn", "The quay at dawn")
    assert article["body"][3]["media_id"] and article["body"][3]["alt"] == "Boats in the harbour"

    desk.find("button[name=preview]").send_keys(Keys.ENTER)
    preview = desk.find(".preview a").get_attribute("href")
    assert re.search(rf"/article\.html\?slug={slug}&preview_token=", preview)
    # The example site's article page reads the draft with the token.
    desk.open(re.sub(r"^https?://[^/]+", "", preview))
    assert desk.find("article.story h1").text == "Harbour <b>reopens</b> at dawn"
    console_errors(desk.driver)
    desk.open(f"/desk/edit?slug={slug}")
    desk.find("button[name=publish]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "published" in desk.find(".status-line").text)
    assert desk.article(slug)["status"] == "published"

    desk.open(f"/article.html?slug={slug}")
    # The example site shows it, the markup typed in the headline as text.
    assert desk.find("article.story h1").text == "Harbour <b>reopens</b> at dawn"
    # The demo's pictures are on hosts this test does not serve; the example site's own tests check it.
    console_errors(desk.driver)
    desk.open("/desk?status=published")
    assert desk.find(".stories li a").text == "Harbour <b>reopens</b> at dawn"


def test_stories_by_status_with_counts_filters_and_pages(desk):
    listed = f"{desk.base}/api/v1/articles"
    for number in range(21 - loopback.get(listed, params={"limit": 1}).json()["meta"]["total"]):
        story = {"title": f"Filler {number}", "authors": ["alok-verma"], "status": "published"}
        loopback.post(listed, json=story, headers=desk.key).raise_for_status()
    embargoed = {"title": "Under embargo", "authors": ["alok-verma"], "embargo_until": "2099-01-01T00:00:00Z"}
    loopback.post(listed, json=embargoed | {"status": "published"}, headers=desk.key).raise_for_status()
    # Editors see the embargoed story among the published ones too.
    published = loopback.get(listed, params={"limit": 1}, headers=desk.key).json()["meta"]["total"]
    desk.signed_in_as(EDITOR, "/desk?status=published")
    tab = desk.find(".tabs a[aria-current=page]")
    assert tab.get_attribute("data-status") == "published" and tab.text.endswith(str(published))
    assert len(desk.find_all(".stories li")) == 20
    desk.find("button.more").send_keys(Keys.ENTER)
    desk.wait_for(lambda: len(desk.find_all(".stories li")) > 20)
    assert desk.driver.switch_to.active_element.text == desk.find_all(".stories li a")[20].text

    assert desk.find(".tabs a[data-status=embargoed]").text == "Embargoed 1"
    desk.find(".tabs a[data-status=embargoed]").click()
    desk.wait_for(lambda: "status=embargoed" in desk.driver.current_url)
    desk.settle()
    assert [link.text for link in desk.find_all(".stories li a")] == ["Under embargo"]
    assert "embargoed until" in desk.find(".stories li .meta").text
    desk.find(".tabs a[data-status=published]").click()
    desk.wait_for(lambda: "status=published" in desk.driver.current_url)
    desk.settle()

    desk.find("input[name=q]").send_keys("eclipse", Keys.ENTER)
    desk.settle()
    desk.wait_for(lambda: "q=eclipse" in desk.driver.current_url)
    titles = [link.text for link in desk.find_all(".stories li a")]
    assert titles and all("clipse" in title for title in titles[:1])
    desk.find(".tabs a[data-status=draft]").click()
    desk.settle()
    assert "status=draft" in desk.driver.current_url and "q=eclipse" in desk.driver.current_url


def test_a_contributor_cannot_publish_even_by_forcing_the_button(desk):
    slug = desk.draft("A contributor's draft")
    desk.signed_in_as(CONTRIBUTOR, f"/desk/edit?slug={slug}")
    publish = desk.find("button[name=publish]")
    assert publish.get_attribute("disabled") is not None
    desk.driver.execute_script("arguments[0].disabled = false", publish)
    publish.send_keys(Keys.ENTER)
    assert desk.find(".alert p").text
    assert desk.article(slug)["status"] == "draft"


def test_an_editor_schedules_a_story_then_takes_it_back(desk):
    slug = desk.draft("Scheduled for later")
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    at = desk.find("input[name=publish-at]")
    desk.driver.execute_script("arguments[0].value = '2099-01-02T09:30'", at)
    desk.find("button[name=schedule]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "scheduled" in desk.find(".status-line").text)
    article = desk.article(slug)
    assert article["status"] == "scheduled" and article["published_at"].startswith("2099-01-0")
    desk.find("button[name=unpublish]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "draft" in desk.find(".status-line").text)
    assert desk.article(slug)["status"] == "draft"


def test_a_story_scheduled_a_few_seconds_ahead_goes_live_by_itself(desk):
    slug = desk.draft("Tide tables for the week")
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    # Four seconds from now, as the browser's own clock and time zone write it into the field.
    desk.driver.execute_script(
        "const at = new Date(Date.now() + 4000);"
        "arguments[0].value = new Date(at - at.getTimezoneOffset() * 60000).toISOString().slice(0, 19);",
        desk.find("input[name=publish-at]"),
    )
    desk.find("button[name=schedule]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "scheduled" in desk.find(".status-line").text)
    assert loopback.get(f"{desk.base}/api/v1/articles/{slug}").status_code == 404
    # No job flips it: readers see it once its time has come.
    desk.wait_for(lambda: loopback.get(f"{desk.base}/api/v1/articles/{slug}").status_code == 200, "live")
    desk.open(f"/article.html?slug={slug}")
    assert desk.find("article.story h1").text == "Tide tables for the week"
    # The demo's pictures are on hosts this test does not serve.
    console_errors(desk.driver)


def test_two_editors_in_one_story_and_the_second_gets_the_conflict_view(desk):
    slug = desk.draft("Two editors, one story")
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    other = Desk(desk.base, chromium(), desk.key, desk.database_url)
    try:
        other.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
        desk.find("input[name=title]").send_keys(Keys.END, " (first)")
        desk.saved()
        other.find("textarea[name=subtitle]").send_keys("The second editor's dek.")
        conflict = other.find(".conflict")
        assert other.driver.switch_to.active_element == conflict
        assert {field.get_attribute("data-field") for field in other.find_all(".conflict-field")} == {
            "title",
            "subtitle",
        }
        # Their headline is kept, the dek typed here too, unless the editor chooses otherwise.
        assert other.find("[data-field=title] .theirs .value").text == "Two editors, one story (first)"
        assert other.find("[data-field=title] input[value=theirs]").is_selected()
        assert other.find("[data-field=subtitle] input[value=mine]").is_selected()
        assert desk.article(slug)["subtitle"] is None
        assert violations(other) == []
        other.find(".conflict .merge").send_keys(Keys.ENTER)
        other.saved()
        article = desk.article(slug)
        assert (article["title"], article["subtitle"]) == ("Two editors, one story (first)", "The second editor's dek.")
        assert other.find("input[name=title]").get_attribute("value") == article["title"]

        # The first editor ends the other browser's session; its next save signs in again and comes back.
        desk.open("/desk/sessions")
        others = [row for row in desk.find_all(".sessions li") if "this browser" not in row.text]
        others[0].find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)
        desk.wait_for(lambda: len(desk.find_all(".sessions li")) == len(others))
        other.find("textarea[name=excerpt]").send_keys("More.")
        other.find("input[name=email]")
        other.sign_in(EDITOR)
        other.wait_for(lambda: other.driver.current_url == f"{desk.base}/desk/edit?slug={slug}")
    finally:
        other.driver.quit()


def test_an_invitation_is_accepted_from_its_link_and_the_next_sign_in_asks_for_the_second_factor(desk, suite_settings):
    newcomer = "newcomer@example.org"
    invited = {"email": newcomer, "name": "Newcomer", "role": "editor"}
    loopback.post(f"{desk.base}/api/v1/users/invites", json=invited, headers=desk.key).raise_for_status()
    engine = build_engine(desk.database_url)
    with Session(engine) as session:
        token = emailed_link(session, suite_settings, newcomer)
    engine.dispose()
    desk.open("/desk")
    if desk.find_all("#nav:not([hidden])"):
        desk.find("#sign-out").click()
        desk.find("input[name=email]")
    desk.open(f"/desk/accept?token={token}")
    desk.find("input[name=password]").send_keys("password", Keys.ENTER)
    desk.wait_for(
        lambda: desk.find("input[name=password]").get_attribute("aria-invalid") == "true", "the short password marked"
    )
    desk.find("input[name=password]").clear()
    desk.find("input[name=password]").send_keys(PASSWORD, Keys.ENTER)
    desk.wait_for(lambda: desk.driver.current_url == f"{desk.base}/desk", "signed in at the stories")
    assert desk.find("#who").text == "Newcomer (editor)"

    # An authenticator added through the API, as the newcomer.
    with loopback.client(base_url=desk.base) as newcomer_session:
        signed = newcomer_session.post("/api/v1/session", json={"email": newcomer, "password": PASSWORD})
        csrf = {"X-CSRF-Token": signed.raise_for_status().json()["csrf_token"]}
        secret = newcomer_session.post("/api/v1/users/me/totp", json={"password": PASSWORD}, headers=csrf)
        code = pyotp.TOTP(secret.raise_for_status().json()["secret"]).now()
        confirmed = newcomer_session.post("/api/v1/users/me/totp/confirm", json={"code": code}, headers=csrf)
        recovery = confirmed.raise_for_status().json()["recovery_codes"][0]
    desk.find("#sign-out").click()
    desk.find("input[name=email]")
    desk.open("/desk/sessions")
    desk.sign_in(newcomer)
    desk.find("input[name=code]").send_keys("000000", Keys.ENTER)
    assert desk.find(".alert p").text
    desk.find("input[name=code]").clear()
    desk.find("input[name=code]").send_keys(recovery, Keys.ENTER)
    desk.wait_for(lambda: desk.driver.current_url == f"{desk.base}/desk/sessions", "back where they were going")

    desk.find("#sign-out").click()
    desk.find("a[href='/desk/forgot']").click()
    desk.find("input[name=email]").send_keys(newcomer, Keys.ENTER)
    desk.wait_for(lambda: "email with a link" in desk.find("[role=status]").text, "the same note for everyone")


def test_every_screen_passes_axe_and_fits_a_phone(desk):
    slug = desk.draft("A story to look at")
    desk.signed_in_as(EDITOR, "/desk")
    screens = ["/desk", f"/desk/edit?slug={slug}", "/desk/new", "/desk/sessions"]
    ready: dict[str, float] = {}
    for width in (375, 1280):
        desk.driver.set_window_size(width, 900)
        for path in screens:
            desk.open(path)
            ready[path] = desk.driver.execute_script("return performance.getEntriesByName('desk-ready')[0].startTime")
            assert violations(desk) == [], path
            viewport, page = desk.driver.execute_script(
                "return [window.innerWidth, document.documentElement.scrollWidth]"
            )
            assert page <= viewport, f"{path} scrolls sideways at {width} px"
    desk.open(f"/desk/edit?slug={slug}")
    desk.find("[data-add=image]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: desk.find_all(".picker .latest-pictures:not([aria-busy])"), "the latest pictures listed")
    assert violations(desk) == []
    print("\nEach desk screen ready, ms after navigation:", {path: round(ms) for path, ms in ready.items()})
    desk.find("#sign-out").click()
    desk.find("input[name=email]")
    desk.sign_in(EDITOR, "wrong password")
    desk.find(".alert p")
    assert violations(desk) == []
    # The screens before signing in, at phone width too.
    for width in (375, 1280):
        desk.driver.set_window_size(width, 900)
        for path in ("/desk/forgot", "/desk/accept?token=from-the-email", "/desk/reset?token=from-the-email"):
            desk.open(path)
            assert violations(desk) == [], path
            viewport, page = desk.driver.execute_script(
                "return [window.innerWidth, document.documentElement.scrollWidth]"
            )
            assert page <= viewport, f"{path} scrolls sideways at {width} px"
