"""The desk's moderation, administration and account screens in a real headless Chromium against a
real `byline serve`: a moderator deciding on held comments in bulk by keyboard, an administrator's
people, keys, webhooks and audit log, the refusals other roles see, and an authenticator enrolled
with the code pyotp computes; axe-core and a phone's width on each screen."""

import re
from collections.abc import Iterator

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.auth.roles import Role
from app.core.settings import Settings
from tests import loopback
from tests.conftest import migrated_sqlite
from tests.desk import PASSWORD, Desk, desk_served, fits_and_passes_axe, only_refused_requests, violations

ADMIN, MODERATOR, EDITOR = "admin@example.org", "moderator@example.org", "editor@example.org"
# Held to a second factor by the server's settings (BYLINE_SECOND_FACTOR_ROLES).
CONTRIBUTOR = "contributor@example.org"
ARTICLE = "harbour-talk"


@pytest.fixture(scope="module")
def desk(tmp_path_factory, sqlite_template, suite_settings: Settings) -> Iterator[Desk]:
    database_url = migrated_sqlite(sqlite_template, tmp_path_factory.mktemp("desk-admin"))
    people = ((ADMIN, Role.admin), (MODERATOR, Role.moderator), (EDITOR, Role.editor), (CONTRIBUTOR, Role.contributor))
    served = desk_served(
        database_url,
        suite_settings,
        people,
        BYLINE_ALLOWED_INTERNAL_HOSTS='["127.0.0.1"]',
        BYLINE_SECOND_FACTOR_ROLES="contributor",
        # Webhooks are delivered by the server itself, for the delivery log.
        BYLINE_SERVE_WORKER="true",
        BYLINE_WORKER_POLL_SECONDS="0.2",
    )
    with served as desk:
        author = {"slug": "alok-verma", "name": "Alok Verma"}
        loopback.post(f"{desk.base}/api/v1/authors", json=author, headers=desk.key).raise_for_status()
        section = {"slug": "world", "name": "World"}
        loopback.post(f"{desk.base}/api/v1/sections", json=section, headers=desk.key).raise_for_status()
        opening = {
            "external_id": "c0",
            "author_name": "Maria",
            "content": "The harbour was full.",
            "created_at": "2026-01-01T00:00:00Z",
        }
        record = {"title": "Harbour talk", "slug": ARTICLE, "authors": ["alok-verma"], "comments": [opening]}
        loopback.post(f"{desk.base}/api/v1/ingest", json=[record], headers=desk.key).raise_for_status()
        yield desk


@pytest.fixture(autouse=True)
def _only_refused_requests_in_the_console(desk) -> Iterator[None]:
    with only_refused_requests(desk):
        yield


def _comment(desk: Desk, content: str, *, parent_id: int | None = None) -> int:
    email = re.sub(r"\W", "", content)[:12].lower() + "@example.com"
    body = {"author_name": "Reader", "author_email": email, "content": content}
    posted = loopback.post(f"{desk.base}/api/v1/articles/{ARTICLE}/comments", json=body | {"parent_id": parent_id})
    return posted.raise_for_status().json()["id"]


def _ids(desk: Desk) -> list[int]:
    return [int(item.get_attribute("data-id")) for item in desk.find_all(".queue li.held")]


def _public_thread(desk: Desk) -> list[str]:
    threads = loopback.get(f"{desk.base}/api/v1/articles/{ARTICLE}/comments").raise_for_status().json()["data"]
    return [c["content_html"] for thread in threads for c in [thread, *thread["replies"]]]


def test_a_moderator_approves_held_comments_in_bulk_by_keyboard(desk):
    (opening,) = [
        c["id"]
        for c in loopback.get(f"{desk.base}/api/v1/comments", params={"status": "approved"}, headers=desk.key).json()[
            "data"
        ]
    ]
    reply = _comment(desk, "Replying: it was.", parent_id=opening)
    linked = _comment(desk, "Links: [a](https://a.example) [b](https://b.example) [c](https://c.example)")
    plain = _comment(desk, "Plainly: lovely boats.")
    desk.signed_in_as(MODERATOR, "/desk/moderation")
    assert _ids(desk) == [plain, linked, reply]
    assert desk.find("h1 .count").text == "3" and "j" in desk.find(".keys").text

    # The reason filter, then typing in a field decides nothing.
    desk.find("select[name=reason]").send_keys("Too many links")
    desk.find("input[name=article]").send_keys(ARTICLE, "a", Keys.BACKSPACE, Keys.ENTER)
    desk.wait_for(lambda: "reason=too_many_links" in desk.driver.current_url)
    desk.settle()
    assert _ids(desk) == [linked]
    desk.open("/desk/moderation")
    # The reply shown in its thread, under the comment it answers.
    desk.find(f"li[data-id='{reply}']").send_keys("t")
    toggle = desk.find(f"li[data-id='{reply}'] button[name=thread]")
    assert desk.find(f"li[data-id='{reply}'] .ancestors li").text.endswith("The harbour was full.")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert violations(desk) == []

    # j to the first, x, j, x, a: the two selected are approved in one request.
    desk.find("h1").click()
    body = desk.driver.switch_to.active_element
    body.send_keys("j")
    assert desk.driver.switch_to.active_element.get_attribute("data-id") == str(plain)
    desk.driver.switch_to.active_element.send_keys("x", "j", "x", "a")
    desk.wait_for(lambda: "2 comments approved" in desk.find(".done").text, "the decision told")
    assert _ids(desk) == [reply] and desk.find("h1 .count").text == "1"
    assert desk.driver.switch_to.active_element.get_attribute("data-id") == str(reply)
    # The current one alone, when nothing is selected: s files it as spam.
    desk.driver.switch_to.active_element.send_keys("s")
    desk.wait_for(lambda: "1 comment marked as spam" in desk.find(".done").text)
    assert desk.find(".queue .empty").text
    shown = _public_thread(desk)
    assert any("lovely boats" in html for html in shown) and any("[a]" in html or ">a<" in html for html in shown)
    assert not any("Replying" in html for html in shown)
    fits_and_passes_axe(desk, "/desk/moderation?status=spam")


def test_an_admin_invites_someone_changes_their_role_and_keys_come_and_go_in_the_audit_log(desk):
    desk.signed_in_as(ADMIN, "/desk/people")
    desk.find("input[name=email]").send_keys("not an address")
    desk.find("input[name=name]").send_keys("Nadia Okafor")
    desk.find("form.invite button[type=submit]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: desk.find("form.invite input[name=email]").get_attribute("aria-invalid") == "true")
    desk.find("form.invite input[name=email]").clear()
    desk.find("form.invite input[name=email]").send_keys("nadia@example.org")
    desk.find("form.invite select[name=role]").send_keys("editor")
    desk.find("form.invite input[name=sections]").send_keys("world")
    desk.find("form.invite button[type=submit]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "Invitation sent to nadia@example.org" in desk.find(".done").text)
    nadia = desk.find("li[data-email='nadia@example.org']")
    assert "invited" in nadia.text and "world" in nadia.text
    nadia.find_element(By.CSS_SELECTOR, "button[name=change]").send_keys(Keys.ENTER)
    desk.find("li[data-email='nadia@example.org'] select[name=role]").send_keys("moderator")
    desk.find("li[data-email='nadia@example.org'] input[name=sections]").clear()
    desk.find("li[data-email='nadia@example.org'] form button[type=submit]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "moderator · every section" in desk.find("li[data-email='nadia@example.org'] .meta").text)
    assert violations(desk) == []
    # Deactivating asks once more, in place; reactivating does not.
    desk.find(f"li[data-email='{MODERATOR}'] button[name=deactivate]").send_keys(Keys.ENTER)
    assert desk.driver.switch_to.active_element.text == "Yes, deactivate"
    desk.driver.switch_to.active_element.send_keys(Keys.ENTER)
    desk.wait_for(lambda: "deactivated" in desk.find(f"li[data-email='{MODERATOR}'] .meta").text)
    desk.find(f"li[data-email='{MODERATOR}'] button[name=reactivate]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: desk.find(f"li[data-email='{MODERATOR}'] .meta").text.endswith("· active"))

    desk.open("/desk/keys")
    assert desk.find("#nav a[href='/desk/people']").get_attribute("aria-current") == "page"
    desk.find("input[name=name]").send_keys("syndication")
    desk.find("form.new-key button[type=submit]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: desk.find("fieldset[data-pointer='#/scopes']").get_attribute("aria-invalid") == "true")
    desk.find("input[name=scopes][value='content:preview']").click()
    desk.find("form.new-key button[type=submit]").send_keys(Keys.ENTER)
    secret = desk.find(".created input.secret")
    value = secret.get_attribute("value")
    assert desk.driver.switch_to.active_element == secret and desk.find(".created button.copy")
    assert (
        loopback.get(
            f"{desk.base}/api/v1/articles", params={"status": "draft"}, headers={"Authorization": f"Bearer {value}"}
        ).status_code
        == 200
    )
    assert violations(desk) == []
    desk.find("li[data-name=syndication] button[name=revoke]").send_keys(Keys.ENTER)
    desk.driver.switch_to.active_element.send_keys(Keys.ENTER)
    desk.wait_for(lambda: "syndication was revoked" in desk.find(".done").text)
    assert "revoked" in desk.find("li[data-name=syndication]").text
    assert loopback.get(f"{desk.base}/api/v1/articles", headers={"Authorization": f"Bearer {value}"}).status_code == 401

    desk.open("/desk/webhooks")
    desk.find("form.endpoint input[name=url]").send_keys("http://127.0.0.1:9/hook")
    desk.find("form.endpoint input[name=events][value='article.published']").click()
    desk.find("form.endpoint button[type=submit]").send_keys(Keys.ENTER)
    assert desk.find(".created input.secret").get_attribute("value").startswith("whsec_")
    desk.find("li.webhook button[name=change]").send_keys(Keys.ENTER)
    desk.find("li.webhook input[name=events][value='comment.approved']").click()
    desk.find("li.webhook form button[type=submit]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "comment.approved" in desk.find("li.webhook .meta").text)
    desk.find("li.webhook button[name=deliveries]").send_keys(Keys.ENTER)
    assert desk.find("li.webhook .deliveries .empty").text
    # A test ping to a port nobody listens on: the log shows the attempt that got no answer.
    desk.find("li.webhook button[name=test]").send_keys(Keys.ENTER)
    desk.wait_for(lambda: "webhook.ping event is queued" in desk.find(".done").text)
    hook_id = desk.find("li.webhook").get_attribute("data-id")
    attempts = f"{desk.base}/api/v1/webhooks/{hook_id}/deliveries"
    desk.wait_for(lambda: loopback.get(attempts, headers=desk.key).json()["meta"]["total"], "the ping attempted")
    desk.find("li.webhook button[name=deliveries]").send_keys(Keys.ENTER)
    desk.find("li.webhook button[name=deliveries]").send_keys(Keys.ENTER)
    attempt = desk.find("li.webhook .deliveries li.delivery").text
    assert "webhook.ping" in attempt and "no answer" in attempt
    assert violations(desk) == []

    desk.open("/desk/audit")
    actions = [item.get_attribute("data-action") for item in desk.find_all(".audit li.entry")]
    assert actions[:6] == [
        "webhook.update",
        "webhook.create",
        "key.revoke",
        "key.create",
        "user.reactivate",
        "user.deactivate",
    ]
    assert {"user.update", "user.invite"} <= set(actions)
    desk.find("input[name=action]").send_keys("key.revoke", Keys.ENTER)
    desk.wait_for(lambda: "action=key.revoke" in desk.driver.current_url)
    desk.settle()
    (entry,) = desk.find_all(".audit li.entry")
    assert "syndication" in entry.text and ADMIN in entry.text
    desk.find("input[name=action]").clear()
    desk.find("input[name=action]").send_keys("Not An Action", Keys.ENTER)
    desk.settle()
    desk.wait_for(lambda: desk.find("input[name=action]").get_attribute("aria-invalid") == "true")
    for path in ("/desk/people", "/desk/keys", "/desk/webhooks", "/desk/audit"):
        fits_and_passes_axe(desk, path)


def test_other_roles_are_told_they_are_not_allowed_and_editors_moderate(desk):
    desk.signed_in_as(EDITOR, "/desk/people")
    assert desk.find("h1").text == "Not allowed" and desk.find(".refusal").text
    assert not desk.find_all("#nav a[href='/desk/people']:not([hidden])")
    # Comments are for moderators, editors and administrators (app/auth/roles.py).
    assert desk.find_all("#nav a[href='/desk/moderation']:not([hidden])")
    desk.open("/desk/moderation")
    desk.wait_for(lambda: desk.find("h1").text.startswith("Comments"), "the queue")
    assert violations(desk) == []


def _enrol(desk: Desk, email: str) -> list[str]:
    """Set up an authenticator from the password's step, a wrong code first; the recovery codes shown."""
    desk.find(".authenticator input[name=password]").send_keys(PASSWORD, Keys.ENTER)
    uri = desk.find(".authenticator .shown-once input").get_attribute("value")
    assert uri.startswith("otpauth://totp/") and email.replace("@", "%40") in uri
    desk.find(".authenticator input[name=code]").send_keys("000000", Keys.ENTER)
    desk.wait_for(lambda: desk.find(".authenticator input[name=code]").get_attribute("aria-invalid") == "true")
    desk.find(".authenticator input[name=code]").clear()
    desk.find(".authenticator input[name=code]").send_keys(pyotp.parse_uri(uri).now(), Keys.ENTER)
    desk.find(".recovery-codes li")
    assert desk.driver.switch_to.active_element == desk.find(".recovery-codes")
    return [item.text for item in desk.find_all(".recovery-codes li")]


def test_an_authenticator_is_enrolled_and_the_next_sign_in_asks_for_its_code(desk):
    desk.signed_in_as(EDITOR, "/desk/sessions")
    fits_and_passes_axe(desk, "/desk/sessions")
    desk.find(".authenticator input[name=password]").send_keys("not the password", Keys.ENTER)
    desk.wait_for(lambda: desk.find(".authenticator input[name=password]").get_attribute("aria-invalid") == "true")
    desk.find(".authenticator input[name=password]").clear()
    codes = _enrol(desk, EDITOR)
    assert len(codes) == len(set(codes)) == 10 and violations(desk) == []
    desk.find("button[name=done]").send_keys(Keys.ENTER)
    assert "On:" in desk.find(".authenticator .state").text

    desk.find("#sign-out").click()
    desk.find("input[name=email]")
    desk.open("/desk/sessions")
    desk.sign_in(EDITOR)
    desk.find("input[name=code]").send_keys(codes[0], Keys.ENTER)
    desk.wait_for(lambda: desk.driver.current_url == f"{desk.base}/desk/sessions", "signed in with a recovery code")
    desk.settle()
    desk.find(".authenticator input[name=password]").send_keys(PASSWORD, Keys.ENTER)
    desk.wait_for(lambda: "Off:" in desk.find(".authenticator .state").text, "turned off")
    assert (
        not loopback.client(base_url=desk.base)
        .post("/api/v1/session", json={"email": EDITOR, "password": PASSWORD})
        .json()
        .get("second_factor_required")
    )


def test_a_role_held_to_a_second_factor_enrols_before_anything_else(desk):
    desk.signed_in_as(CONTRIBUTOR, "/desk/sessions")
    assert "before anything else" in desk.find(".authenticator .state").text
    assert not desk.find_all(".sessions li")
    desk.find("#nav a[href='/desk']").click()
    desk.settle()
    assert desk.driver.current_url == f"{desk.base}/desk/sessions"
    _enrol(desk, CONTRIBUTOR)
    desk.find("button[name=done]").send_keys(Keys.ENTER)
    desk.find("#nav a[href='/desk']").click()
    desk.wait_for(lambda: desk.find("h1").text == "Stories", "the stories, once enrolled")
