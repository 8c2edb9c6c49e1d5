"""The desk's curation screens and the editor's tools in a real headless Chromium against a real
`byline serve`: a collection reordered by keyboard and someone else's order refused rather than
overwritten, a correction, a revision restored after its comparison, a related pin, inline bold and
links kept as saved, a lead picture cropped 16:9; axe-core and a phone's width on each new screen and panel."""

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.auth.roles import Role
from app.core.settings import Settings
from tests import loopback
from tests.conftest import migrated_sqlite
from tests.desk import Desk, desk_served, fits, fits_and_passes_axe, only_refused_requests, violations
from tests.media.pictures import photo

EDITOR = "editor@example.org"
STORIES = ("harbour", "ferry", "tides")


@pytest.fixture(scope="module")
def desk(tmp_path_factory, sqlite_template, suite_settings: Settings) -> Iterator[Desk]:
    database_url = migrated_sqlite(sqlite_template, tmp_path_factory.mktemp("desk-tools"))
    with desk_served(database_url, suite_settings, ((EDITOR, Role.editor),)) as desk:
        author = {"slug": "alok-verma", "name": "Alok Verma"}
        loopback.post(f"{desk.base}/api/v1/authors", json=author, headers=desk.key).raise_for_status()
        for slug in STORIES:
            story = {"title": slug.title(), "slug": slug, "authors": ["alok-verma"], "status": "published"}
            loopback.post(f"{desk.base}/api/v1/articles", json=story, headers=desk.key).raise_for_status()
        yield desk


@pytest.fixture(autouse=True)
def _only_refused_requests_in_the_console(desk) -> Iterator[None]:
    with only_refused_requests(desk):
        yield


def _fits_and_passes_axe_here(desk: Desk) -> None:
    desk.driver.set_window_size(375, 900)
    assert violations(desk) == []
    assert fits(desk), "scrolls sideways at 375 px"
    desk.driver.set_window_size(1280, 1000)


def _drag(desk: Desk, held: str, onto: str) -> None:
    """Real mouse input through the browser: pressed on `held`, moved onto `onto`, released."""
    ActionChains(desk.driver).click_and_hold(desk.find(held)).move_to_element(desk.find(onto)).release().perform()


def _picks(desk: Desk) -> list[str | None]:
    return [pick.get_attribute("data-slug") for pick in desk.find_all(".pick")]


def _order(desk: Desk, slug: str) -> list[str]:
    shown = loopback.get(f"{desk.base}/api/v1/collections/{slug}").raise_for_status().json()
    return [entry["article"]["slug"] for entry in shown["items"]]


def _put(desk: Desk, slug: str, articles: list[str], max_items: int = 5) -> None:
    body = {"title": "Home", "items": [{"article": a} for a in articles], "max_items": max_items}
    loopback.put(f"{desk.base}/api/v1/collections/{slug}", json=body, headers=desk.key).raise_for_status()


def test_an_editor_reorders_a_collection_by_keyboard_and_is_kept_from_overwriting(desk):
    _put(desk, "home", list(STORIES), max_items=2)
    desk.signed_in_as(EDITOR, "/desk/collections")
    desk.find(".stories a[href='/desk/collection?slug=home']").send_keys(Keys.ENTER)
    # Readers see two; the third is a spare, listed with its headline all the same.
    assert desk.find(".pick[data-slug=tides] .pick-title").text == "3. Tides (spare)"
    desk.find("input[name=max_items]").send_keys(Keys.BACKSPACE, "5")
    first = desk.find(".pick[data-slug=harbour]")
    first.send_keys(Keys.ALT, Keys.ARROW_DOWN)
    desk.wait_for(lambda: desk.driver.switch_to.active_element.get_attribute("data-slug") == "harbour")
    desk.find(".pick[data-slug=tides] .up").send_keys(Keys.ENTER)
    assert _picks(desk) == ["ferry", "tides", "harbour"]
    # The mouse's way: harbour pressed by its headline and dropped on ferry's place, then on tides'.
    _drag(desk, ".pick[data-slug=harbour] .pick-title", ".pick[data-slug=ferry]")
    assert _picks(desk) == ["harbour", "ferry", "tides"]
    _drag(desk, ".pick[data-slug=harbour] .pick-title", ".pick[data-slug=tides]")
    assert _picks(desk) == ["ferry", "tides", "harbour"]
    desk.find(".pick[data-slug=tides] input").send_keys("Live")
    desk.find(".collection button[type=submit]").click()
    desk.wait_for(lambda: desk.find(".save-state").text == "Saved.", "saved")
    assert _order(desk, "home") == ["ferry", "tides", "harbour"]
    assert loopback.get(f"{desk.base}/api/v1/collections/home").json()["items"][1]["label"] == "Live"

    # Another editor saves meanwhile: this one's save is refused, shown, and their order loaded.
    _put(desk, "home", ["harbour", "ferry"])
    desk.find(".pick[data-slug=ferry] .remove").click()
    desk.find(".collection button[type=submit]").click()
    desk.find(".conflict button").click()
    desk.wait_for(lambda: _picks(desk) == ["harbour", "ferry"])
    assert _order(desk, "home") == ["harbour", "ferry"]

    # An order for later: readers keep today's until then.
    desk.find(".pick[data-slug=ferry] .up").click()
    desk.driver.execute_script("arguments[0].value = '2030-01-02T06:00'", desk.find("input[name=apply_at]"))
    desk.find(".collection button[type=submit]").click()
    desk.wait_for(lambda: desk.find(".save-state").text.startswith("Saved: this order applies at"), "scheduled")
    assert desk.find(".scheduled li").text.endswith("ferry, harbour")
    assert _order(desk, "home") == ["harbour", "ferry"]

    fits_and_passes_axe(desk, "/desk/collections")
    fits_and_passes_axe(desk, "/desk/collection?slug=home")


def test_a_new_collection_is_created_only_under_a_slug_not_taken(desk):
    _put(desk, "morning", ["harbour"])
    desk.signed_in_as(EDITOR, "/desk/collections")
    desk.find(".new-collection input[name=slug]").send_keys("morning")
    desk.find(".new-collection input[name=title]").send_keys("Evening", Keys.ENTER)
    desk.wait_for(lambda: desk.find(".new-collection input[name=slug]").get_attribute("aria-invalid") == "true")
    assert _order(desk, "morning") == ["harbour"]
    desk.find(".new-collection input[name=slug]").clear()
    desk.find(".new-collection input[name=slug]").send_keys("evening", Keys.ENTER)
    desk.wait_for(lambda: desk.driver.current_url.endswith("/desk/collection?slug=evening"), "the new collection")
    assert desk.find("input[name=title]").get_attribute("value") == "Evening"
    assert loopback.get(f"{desk.base}/api/v1/collections/evening").json()["items"] == []


def test_an_editor_embargoes_and_corrects_a_story_and_restores_a_revision_after_its_diff(desk):
    desk.signed_in_as(EDITOR, "/desk/edit?slug=ferry")
    desk.find("textarea[name=correction]").send_keys("The ferry leaves at nine, not ten.")
    desk.find("button[name=add-correction]").click()
    desk.find(".correction textarea")
    (correction,) = desk.article("ferry")["corrections"]
    assert correction["text"] == "The ferry leaves at nine, not ten."

    # An embargo set at a time typed as the field takes it, then lifted.
    until = desk.find("input[name=embargo-until]")
    desk.driver.execute_script("arguments[0].value = '2030-01-02T09:00'", until)
    desk.find("button[name=embargo]").click()
    desk.wait_for(lambda: desk.find(".embargo-state").text.startswith("Embargoed until"), "embargoed")
    assert desk.article("ferry")["embargo_until"].startswith("2030-01-0")
    desk.find("button[name=lift-embargo]").click()
    desk.wait_for(lambda: desk.find(".embargo-state").text == "No embargo.", "lifted")
    assert desk.article("ferry")["embargo_until"] is None

    title = desk.find("input[name=title]")
    title.clear()
    title.send_keys("Ferry cancelled")
    desk.find(".editor button[type=submit]").click()
    desk.saved()
    desk.find("button[name=revisions]").click()
    desk.find(".revision:last-child button").click()
    diff = desk.find(".revision:last-child .field-diff[data-field=title] .diff")
    # Restoring it keeps "Ferry" and takes the word added since away.
    assert diff.text.startswith("Ferry") and "cancelled" in diff.find_element(By.CSS_SELECTOR, "del").text
    assert not diff.find_elements(By.CSS_SELECTOR, "ins")
    _fits_and_passes_axe_here(desk)
    desk.find(".revision:last-child .revision-diff button").click()
    desk.find(".revision:last-child .confirm .danger").click()
    desk.wait_for(lambda: desk.article("ferry")["title"] == "Ferry", "restored")
    desk.wait_for(lambda: desk.find("input[name=title]").get_attribute("value") == "Ferry", "shown restored")


def test_older_revisions_come_a_page_at_a_time(desk):
    slug = desk.draft("Tide tables")
    for n in range(21):
        change = {"subtitle": f"High water at {n}"}
        loopback.patch(f"{desk.base}/api/v1/articles/{slug}", json=change, headers=desk.key).raise_for_status()
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    desk.find("button[name=revisions]").click()
    desk.wait_for(lambda: len(desk.find_all(".revision")) == 20, "the newest 20")
    desk.find(".revisions-panel button.more").click()
    desk.wait_for(lambda: len(desk.find_all(".revision")) == 22, "the older ones")
    assert [one.get_attribute("data-number") for one in desk.find_all(".revision")][-2:] == ["2", "1"]
    assert desk.driver.switch_to.active_element.text == "Compare with now"
    assert desk.find_all(".revisions-panel button.more[hidden]")


def test_an_editor_pins_related_stories_of_a_published_story_and_a_draft_and_sees_the_search_preview(desk):
    desk.signed_in_as(EDITOR, "/desk/edit?slug=tides")
    assert desk.find(".search-result .result-title").text == "Tides"
    desk.find("textarea[name=subtitle]").send_keys("Higher than ever.")
    assert desk.find(".social-card .card-description").text == "Higher than ever."
    desk.find("input[name=pin-search]").send_keys("harbour")
    desk.find("button[data-pin=harbour]").click()
    desk.find("button[name=save-pins]").click()
    desk.wait_for(lambda: desk.find(".pins-panel .save-state").text == "Saved.", "pins saved")
    related = loopback.get(f"{desk.base}/api/v1/articles/tides/related").raise_for_status().json()["data"]
    assert [one["slug"] for one in related if one["pinned"]] == ["harbour"]
    _fits_and_passes_axe_here(desk)

    # A draft's pins are set and read back too.
    draft = desk.draft("Storm warning")
    desk.open(f"/desk/edit?slug={draft}")
    desk.find("input[name=pin-search]").send_keys("ferry")
    desk.find("button[data-pin=ferry]").click()
    desk.find("button[name=save-pins]").click()
    desk.wait_for(lambda: desk.find(".pins-panel .save-state").text == "Saved.", "a draft's pins saved")
    desk.open(f"/desk/edit?slug={draft}")
    desk.wait_for(lambda: [pin.get_attribute("data-slug") for pin in desk.find_all(".pins li")] == ["ferry"])


def test_the_editors_blocks_are_reordered_with_the_mouse(desk):
    body = [{"type": "paragraph", "text": text} for text in ("One.", "Two.", "Three.")]
    story = {"title": "Order", "authors": ["alok-verma"], "body": body}
    slug = loopback.post(f"{desk.base}/api/v1/articles", json=story, headers=desk.key).raise_for_status().json()["slug"]
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    # Pressed on its grip and let go over the last block, with a line marking where it lands meanwhile.
    held = ActionChains(desk.driver).click_and_hold(desk.find(".block:first-child .grip"))
    held.move_to_element(desk.find(".block:last-child")).perform()
    assert desk.find_all(".block:last-child.drop-after") and desk.find_all(".block.dragged")
    ActionChains(desk.driver).release().perform()
    assert [text.get_attribute("value") for text in desk.find_all(".block textarea")] == ["Two.", "Three.", "One."]
    desk.wait_for(lambda: [b["text"] for b in desk.article(slug)["body"]] == ["Two.", "Three.", "One."], "saved")
    assert not desk.find_all(".drop-before, .drop-after, .dragged")
    _fits_and_passes_axe_here(desk)


def _select(desk: Desk, css: str, words: str) -> None:
    desk.driver.execute_script(
        "const text = document.querySelector(arguments[0]); const at = text.value.indexOf(arguments[1]);"
        "text.focus(); text.setSelectionRange(at, at + arguments[1].length);",
        css,
        words,
    )


def test_bold_and_a_link_typed_by_keyboard_come_back_as_they_were_saved(desk):
    slug = desk.draft("Boats")
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    paragraph = ".block-paragraph textarea"
    desk.find(paragraph).clear()
    desk.find(paragraph).send_keys("Boats return home")
    _select(desk, paragraph, "Boats")
    desk.find(paragraph).send_keys(Keys.CONTROL, "b")
    _select(desk, paragraph, "return")
    desk.find(paragraph).send_keys(Keys.CONTROL, "k")
    desk.find("input[name=link-address]").send_keys("https://example.org/tide", Keys.ENTER)
    desk.wait_for(lambda: "<a" in desk.article(slug)["body"][0]["text"], "saved with the link")
    marked = '<strong>Boats</strong> <a href="https://example.org/tide" rel="noopener">return</a> home'
    assert desk.article(slug)["body"][0]["text"] == marked
    desk.open(f"/desk/edit?slug={slug}")
    assert desk.find(paragraph).get_attribute("value") == marked


def test_a_pictures_focal_point_moved_by_keyboard_is_saved_and_the_crop_chosen_kept(desk):
    upload = {"file": ("boats.jpg", photo(400, 300), "image/jpeg")}
    media = loopback.post(f"{desk.base}/api/v1/media", files=upload, headers=desk.key).raise_for_status().json()
    story = {"title": "Pictured", "authors": ["alok-verma"], "body": [{"type": "image", "media_id": media["id"]}]}
    slug = loopback.post(f"{desk.base}/api/v1/articles", json=story, headers=desk.key).raise_for_status().json()["slug"]
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    desk.find(".block-image button[name=focal]").click()
    desk.find("button[name=focal-point]").send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_UP)
    desk.find("button[name=save-focal]").click()
    desk.wait_for(lambda: desk.find(".focal-panel .save-state").text.startswith("Saved"), "focal point saved")
    saved = loopback.get(f"{desk.base}/api/v1/media/{media['id']}", headers=desk.key).json()["focal_point"]
    assert saved == {"x": 0.6, "y": 0.45}
    crops = loopback.get(f"{desk.base}/api/v1/media/{media['id']}", headers=desk.key).json()["crops"]
    desk.find(".crop-ratios input[value='4:3']").click()
    assert desk.find(".crop-preview").get_attribute("srcset") == crops["4:3"]
    _fits_and_passes_axe_here(desk)
    # The crop chosen is the story's: saved with the block and chosen again on reload.
    desk.wait_for(lambda: desk.article(slug)["body"][0].get("crop") == "4:3", "the crop saved")
    assert "-4x3-" in desk.article(slug)["body"][0]["url"]
    desk.open(f"/desk/edit?slug={slug}")
    desk.find(".block-image button[name=focal]").click()
    assert desk.find(".crop-ratios input[value='4:3']").is_selected()


def test_a_library_picture_chosen_as_the_lead_keeps_its_16_9_crop_after_a_reload_and_is_removed(desk):
    upload = {"file": ("quay.jpg", photo(400, 300), "image/jpeg")}
    data = {"credit": "Harbour Office"}
    media = (
        loopback.post(f"{desk.base}/api/v1/media", files=upload, data=data, headers=desk.key).raise_for_status().json()
    )
    slug = desk.draft("Quay")
    desk.signed_in_as(EDITOR, f"/desk/edit?slug={slug}")
    desk.find("button[name=choose-lead]").click()
    desk.find(f".lead-picture .picker button[data-media='{media['id']}']").click()
    assert desk.find(".lead-picture .credit").text == "Credit: Harbour Office"
    desk.find(".lead-picture input[data-pointer='#/featured_image/alt']").send_keys("The quay at dawn")
    desk.find(".lead-picture button[name=focal]").click()
    desk.find(".lead-picture .crop-ratios input[value='16:9']").click()
    desk.find(".editor button[type=submit]").click()
    desk.wait_for(lambda: (desk.article(slug)["featured_image"] or {}).get("crop") == "16:9", "the lead picture saved")
    lead = desk.article(slug)["featured_image"]
    assert (lead["media_id"], lead["alt"]) == (media["id"], "The quay at dawn")
    assert abs(lead["width"] / lead["height"] - 16 / 9) < 0.02
    desk.open(f"/desk/edit?slug={slug}")
    assert (
        desk.find(".lead-picture input[data-pointer='#/featured_image/alt']").get_attribute("value")
        == "The quay at dawn"
    )
    desk.find(".lead-picture button[name=focal]").click()
    assert desk.find(".lead-picture .crop-ratios input[value='16:9']").is_selected()
    _fits_and_passes_axe_here(desk)
    desk.find("button[name=remove-lead]").click()
    assert desk.driver.switch_to.active_element.get_attribute("name") == "choose-lead"
    desk.find(".editor button[type=submit]").click()
    desk.wait_for(lambda: desk.article(slug)["featured_image"] is None, "the lead picture removed")
