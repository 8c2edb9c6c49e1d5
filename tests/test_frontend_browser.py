"""The example site in a real headless Chromium against a real `byline serve` with the demo newsroom:
every part of the article page, the listings, search, the comment form through moderation, and an
accessibility check with axe-core."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.core.clock import utcnow
from app.db.engines import build_engine
from tests import loopback
from tests.browser import chromium, console_errors, first_shown, waiting
from tests.conftest import TEST_SECRET, migrated_sqlite
from tests.image_hosts import image_hosts
from tests.media.pictures import photo
from tests.server import demo_loaded, free_port, running_server

MOSCOW = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"
ECLIPSE = "a-guide-to-the-total-solar-eclipse-crossing-north-america"


@dataclass
class Newsroom:
    base: str
    driver: webdriver.Chrome
    moderator: dict[str, str]
    editor: dict[str, str]
    photo_desk: dict[str, str]

    def api(self, path: str, **params: str) -> dict:
        return loopback.get(f"{self.base}/api/v1{path}", params=params).raise_for_status().json()

    def open(self, page: str) -> None:
        self.driver.get(f"{self.base}/{page}")
        waiting(self.driver).until(
            lambda driver: driver.execute_script("return !document.getElementById('main').hasAttribute('aria-busy')")
        )

    def find(self, css: str) -> WebElement:
        return waiting(self.driver).until(lambda driver: first_shown(driver, css))

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def approve(self, content: str) -> dict:
        queue = loopback.get(f"{self.base}/api/v1/comments", headers=self.moderator).raise_for_status().json()["data"]
        (comment,) = [comment for comment in queue if comment["content"] == content]
        url = f"{self.base}/api/v1/comments/{comment['id']}"
        loopback.patch(url, json={"status": "approved"}, headers=self.moderator).raise_for_status()
        return comment


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory, sqlite_template) -> Iterator[Newsroom]:
    folder = tmp_path_factory.mktemp("newsroom")
    # As `byline db upgrade`, `byline demo load` and `byline keys create` leave it, without three
    # start-ups of the command (test_cli runs the commands themselves).
    database_url = migrated_sqlite(sqlite_template, folder)
    port = free_port()
    demo_loaded(database_url, port=port)
    engine = build_engine(database_url)

    def key(name: str, scope: str) -> dict[str, str]:
        with Session(engine) as session:
            _, plain = issue_key(session, secret_key=TEST_SECRET, name=name, scopes=[Scope(scope)], now=utcnow())
        return {"Authorization": f"Bearer {plain}"}

    moderator, editor = key("moderator", "comments:moderate"), key("editor", "content:write")
    photo_desk = key("photo desk", "media:write")
    engine.dispose()
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        # Browsers ask every time, so a reload shows a comment the moment it is approved.
        "BYLINE_CACHE_MAX_AGE": "0",
        "BYLINE_CACHE_STALE_WHILE_REVALIDATE": "0",
        # Low enough for the comment test to reach it.
        "BYLINE_COMMENT_LIMIT_PER_NETWORK": "4",
        # Selenium types faster than any person; held for that, no comment could be published at once.
        "BYLINE_COMMENT_MIN_SECONDS": "0",
    }
    with image_hosts(folder) as arguments, running_server(env, port=port) as base:
        driver = chromium(*arguments)
        try:
            yield Newsroom(base, driver, moderator, editor, photo_desk)
        finally:
            driver.quit()


@pytest.fixture(autouse=True)
def _no_console_errors(newsroom) -> Iterator[None]:
    newsroom.driver.set_window_size(1280, 1000)
    console_errors(newsroom.driver)
    yield
    assert console_errors(newsroom.driver) == []


def _failed_requests(driver: webdriver.Chrome) -> list[tuple[str, int]]:
    """Requests the page made that were answered with an error status (the only console errors a test expects)."""
    failed = []
    for message in console_errors(driver):
        found = re.match(r"(\S+) - Failed to load resource: the server responded with a status of (\d+)", message)
        assert found, message
        failed.append((re.sub(r"^https?://[^/]+|\?.*", "", found[1]), int(found[2])))
    return failed


def test_the_lead_article_shows_every_part_of_the_report(newsroom):
    newsroom.open("")
    lead = newsroom.find(".card.lead .card-title a")
    title = lead.text
    lead.click()
    assert newsroom.find("article.story header h1").text == title
    slug = re.search(r"slug=([\w-]+)", newsroom.driver.current_url)[1]
    article = newsroom.api(f"/articles/{slug}")
    author = article["authors"][0]

    assert newsroom.find(".story .dek").text == article["subtitle"]
    byline_text = newsroom.find(".story .byline").text
    assert f"By {author['name']}, {author['role']}" in byline_text
    assert f"{article['reading_time_minutes']} min read" in byline_text
    published = newsroom.find(".story .byline time")
    assert published.get_attribute("datetime") == article["published_at"]

    featured = newsroom.find(".story figure.featured")
    picture = article["featured_image"]
    assert featured.find_element(By.TAG_NAME, "img").get_attribute("alt") == picture["alt"]
    # The demo's photograph itself, from the media library, in its place before it arrives.
    shown = _shown_picture(newsroom, ".story figure.featured img")
    assert (shown["width"], shown["height"]) == (str(picture["width"]), str(picture["height"]))
    assert shown["srcset"] == picture["srcset"] and shown["sizes"] and shown["loading"] == "lazy"
    assert shown["chosen"].startswith(f"{newsroom.base}/media/") and shown["natural_width"] > 0
    caption = featured.find_element(By.TAG_NAME, "figcaption").text
    assert picture["caption"] in caption and picture["credit"].upper() in caption

    headings = [block["text"] for block in article["body"] if block["type"] == "heading"]
    shown = newsroom.find_all(".story-body h2")
    assert [heading.text.rstrip(" #") for heading in shown] == headings
    assert [heading.get_attribute("id") for heading in shown] == re.findall(r'<h2 id="([^"]+)"', article["body_html"])
    assert newsroom.find(".contents a").get_attribute("href").endswith(f"#{shown[0].get_attribute('id')}")

    filed = newsroom.find(".story-footer .filed")
    section_link = filed.find_element(By.LINK_TEXT, article["section"]["name"])
    assert section_link.get_attribute("href").endswith(f"section.html?slug={article['section']['slug']}")
    tag_links = filed.find_elements(By.CSS_SELECTOR, ".tags a")
    assert [(a.text, a.get_attribute("href").split("slug=")[1]) for a in tag_links] == [
        (tag["name"], tag["slug"]) for tag in article["tags"]
    ]

    box = newsroom.find(".author-box")
    assert box.find_element(By.CSS_SELECTOR, "h2").text == author["name"]
    assert box.find_element(By.CSS_SELECTOR, ".bio").text == author["bio"]
    assert box.find_element(By.LINK_TEXT, "More »").get_attribute("href").endswith(f"author.html?slug={author['slug']}")

    related = newsroom.api(f"/articles/{slug}/related")["data"]
    assert newsroom.find(".related h2").text == "Related Articles"
    assert [a.text for a in newsroom.find_all(".related .card-title a")] == [item["title"] for item in related]

    assert newsroom.find("#comments h2").text
    form = newsroom.find("#respond")
    assert form.find_element(By.CSS_SELECTOR, "h3").text == "Leave a Reply"
    notes = form.find_element(By.CSS_SELECTOR, ".comment-notes").text
    assert notes == "Your email address will not be published. Required fields are marked *"
    for name in ("content", "author_name", "author_email"):
        assert form.find_element(By.NAME, name).get_attribute("aria-required") == "true"
    assert form.find_element(By.NAME, "author_url").get_attribute("aria-required") is None
    assert newsroom.find("a.back-to-top").get_attribute("href").endswith("#top")


def _commented_article(newsroom: Newsroom, slug: str, threads: int) -> str:
    """A published article with `threads` approved comments, each opening a thread, oldest first."""
    comments = [
        {
            "external_id": f"{slug}-{n}",
            "author_name": f"Reader {n}",
            "content": f"Comment number {n}.",
            "created_at": f"2001-01-01T00:{n:02}:00Z",
        }
        for n in range(threads)
    ]
    record = {
        "title": f"Talked about: {slug}",
        "slug": slug,
        "authors": ["alok-verma"],
        # Long ago, so it never leads the front page that other tests read.
        "published_at": "2001-01-01T00:00:00Z",
        "body": [{"type": "paragraph", "text": "Readers had their say."}],
        "comments": comments,
    }
    created = loopback.post(f"{newsroom.base}/api/v1/ingest", json=[record], headers=newsroom.editor)
    assert created.raise_for_status().json()["results"][0]["status"] == "created"
    return slug


def _shown_threads(newsroom: Newsroom) -> list[str]:
    return [item.get_attribute("id") for item in newsroom.find_all(".comment-list > li > article.comment")]


def _text_nodes(newsroom: Newsroom) -> list[str]:
    return newsroom.driver.execute_script(
        "const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const found = [];"
        "while (walker.nextNode()) found.push(walker.currentNode.data.trim());"
        "return found;"
    )


def test_an_article_with_comments_shows_no_stray_text(newsroom):
    slug = _commented_article(newsroom, "few-comments-no-stray-text", threads=2)
    newsroom.open(f"article.html?slug={slug}")
    newsroom.find("#respond")
    assert len(_shown_threads(newsroom)) == 2
    assert not {"null", "undefined"} & set(_text_nodes(newsroom))


def test_show_more_comments_is_offered_only_when_there_is_a_next_page(newsroom):
    slug = _commented_article(newsroom, "few-comments-one-page", threads=3)
    newsroom.open(f"article.html?slug={slug}")
    newsroom.find("#respond")
    assert newsroom.api(f"/articles/{slug}/comments")["meta"]["next_cursor"] is None
    assert len(_shown_threads(newsroom)) == 3
    assert not first_shown(newsroom.driver, "#comments .more")


def test_show_more_comments_appends_the_next_page_once(newsroom):
    slug = _commented_article(newsroom, "many-comments", threads=25)
    first = newsroom.api(f"/articles/{slug}/comments")
    second = newsroom.api(f"/articles/{slug}/comments", cursor=first["meta"]["next_cursor"])
    assert second["meta"]["next_cursor"] is None
    every = [f"comment-{comment['id']}" for comment in first["data"] + second["data"]]
    newsroom.open(f"article.html?slug={slug}")
    assert _shown_threads(newsroom) == every[: len(first["data"])]

    newsroom.find("#comments .more").click()
    waiting(newsroom.driver).until(lambda _: len(_shown_threads(newsroom)) > len(first["data"]))
    assert _shown_threads(newsroom) == every
    assert not first_shown(newsroom.driver, "#comments .more")


def test_the_article_page_has_one_back_to_top_link(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    newsroom.find("#respond")
    assert [link.get_attribute("href") for link in newsroom.driver.find_elements(By.LINK_TEXT, "Back to top")] == [
        f"{newsroom.base}/article.html?slug={MOSCOW}#top"
    ]


def test_the_article_page_takes_one_request_for_the_article_and_all_it_includes(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    newsroom.find("#respond")
    requested = newsroom.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(entry => entry.initiatorType === 'fetch').map(entry => entry.name)"
    )
    paths = sorted(re.sub(r"^https?://[^/]+", "", url) for url in requested)
    assert paths == [
        f"/api/v1/articles/{MOSCOW}?include=related%2Ccomments%2Cauthor_articles",
        "/api/v1/most-read?limit=5",
        "/api/v1/sections?limit=100",
    ]


def test_the_page_head_carries_the_articles_structured_data_and_open_graph(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    article = newsroom.api(f"/articles/{MOSCOW}")
    driver = newsroom.driver
    assert driver.title == f"{article['title']} — Byline"
    (ld,) = driver.find_elements(By.CSS_SELECTOR, 'head script[type="application/ld+json"]')
    assert json.loads(ld.get_attribute("textContent")) == article["structured_data"]
    head = driver.execute_script(
        "return [...document.head.querySelectorAll('meta[property], meta[name]')]"
        ".map(tag => [tag.getAttribute('property') || tag.getAttribute('name'), tag.content])"
    )
    seo = article["seo"]
    for name, value in seo["open_graph"].items():
        for one in value if isinstance(value, list) else [value]:
            assert [name, one] in head, name
    for name, value in seo["twitter"].items():
        assert [name, value] in head
    assert ["description", seo["description"]] in head
    canonical = driver.find_element(By.CSS_SELECTOR, 'head link[rel="canonical"]')
    assert canonical.get_attribute("href") == seo["canonical_url"]


def test_the_body_renders_every_kind_of_block_semantically(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    article = newsroom.api(f"/articles/{MOSCOW}")
    blocks = {kind: [b for b in article["body"] if b["type"] == kind] for kind in ("quote", "list", "image")}
    quote = newsroom.find(".story-body figure.quote")
    assert quote.find_element(By.CSS_SELECTOR, "blockquote").text == blocks["quote"][0]["text"]
    assert quote.find_element(By.CSS_SELECTOR, "figcaption cite").text == blocks["quote"][0]["cite"]
    items = [li.text for li in newsroom.find_all(".story-body ul li")]
    assert items == blocks["list"][0]["items"]
    picture = newsroom.find(".story-body figure img")
    assert picture.get_attribute("alt") == blocks["image"][0]["alt"]
    correction = newsroom.find(".corrections")
    assert correction.find_element(By.TAG_NAME, "h2").text == "Correction"
    assert article["corrections"][0]["text"] in correction.text
    assert correction.find_element(By.TAG_NAME, "time").get_attribute("datetime")

    newsroom.open(f"article.html?slug={ECLIPSE}")
    (embed,) = [b for b in newsroom.api(f"/articles/{ECLIPSE}")["body"] if b["type"] == "embed"]
    link = newsroom.find(".story-body figure.embed a")
    assert link.get_attribute("href") == embed["url"] and link.text == (embed.get("title") or embed["url"])


def test_more_leads_to_the_authors_page(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    newsroom.find(".author-box").find_element(By.LINK_TEXT, "More »").click()
    author = newsroom.api("/authors/alok-verma")
    assert newsroom.find("main h1").text == author["name"]
    assert newsroom.find(".profile .bio").text == author["bio"]
    assert newsroom.driver.title == f"{author['name']} — Byline"
    listed = [a.text for a in newsroom.find_all("main .cards .card-title a")]
    everything = newsroom.api("/authors/alok-verma/articles", limit="100")["data"]
    assert listed == [article["title"] for article in everything] and len(listed) == author["article_count"]


def test_the_front_page_walks_every_article_with_more(newsroom):
    newsroom.open("")
    everything = [article["title"] for article in newsroom.api("/articles", limit="100")["data"]]
    clicks = 0
    while more := first_shown(newsroom.driver, ".pagination .more"):
        count = len(newsroom.find_all("main .cards > li"))
        more.click()
        waiting(newsroom.driver).until(lambda _, shown=count: len(newsroom.find_all("main .cards > li")) > shown)
        clicks += 1
        # Focus moves to the first article the click added, so keyboard users carry on from there.
        focused = newsroom.driver.switch_to.active_element
        assert focused.text == newsroom.find_all("main .cards > li")[count].find_element(By.CSS_SELECTOR, "h2 a").text
    assert clicks >= 1
    assert [a.text for a in newsroom.find_all("main .cards .card-title a")] == everything


def test_section_and_tag_pages_list_their_articles(newsroom):
    newsroom.open(f"article.html?slug={MOSCOW}")
    newsroom.find(".story-header .kicker a").click()
    assert newsroom.find("main h1").text == "World"
    kickers = {a.text for a in newsroom.find_all("main .card .kicker a")}
    assert kickers == {"WORLD"}
    assert len(newsroom.find_all("main .cards > li")) == newsroom.api("/sections/world")["article_count"]

    newsroom.open(f"article.html?slug={MOSCOW}")
    newsroom.find(".tags").find_element(By.LINK_TEXT, "Russia").click()
    assert newsroom.find("main h1").text == "Russia"
    titles = [a.text for a in newsroom.find_all("main .cards .card-title a")]
    assert titles == [a["title"] for a in newsroom.api("/articles", tag="russia")["data"]]


def test_search_shows_matches_with_the_words_highlighted(newsroom):
    newsroom.open("")
    box = newsroom.find("#site-search")
    box.send_keys("moscow attack")
    box.submit()
    # The front page has a heading too: wait for the results page to replace it.
    waiting(newsroom.driver).until(lambda driver: "search.html" in driver.current_url)
    assert newsroom.find("main h1").text == "Results for “moscow attack”"
    results = newsroom.api("/articles", q="moscow attack")
    assert newsroom.find("main .count").text == f"{results['meta']['total']} articles"
    marked = {mark.text.lower() for mark in newsroom.find_all("main .snippet mark")}
    # Matching is by stem: "attacked" is a match for "attack".
    assert marked and all(word.startswith(("moscow", "attack")) for word in marked)
    assert newsroom.driver.find_element(By.ID, "site-search").get_attribute("value") == "moscow attack"


def test_a_missing_article_says_so(newsroom):
    newsroom.open("article.html?slug=no-such-article")
    assert newsroom.find("main h1").text == "Not found"
    assert newsroom.driver.title == "Not found — Byline"
    assert _failed_requests(newsroom.driver) == [("/api/v1/articles/no-such-article", 404)]


def _fill(newsroom: Newsroom, **fields: str) -> None:
    for name, value in fields.items():
        control = newsroom.find(f"#respond [name={name}]")
        control.clear()
        control.send_keys(value)


def _submit(newsroom: Newsroom) -> None:
    newsroom.find("#respond button[type=submit]").click()
    waiting(newsroom.driver).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".form-status p, .form-problem p")
    )


def test_a_comment_goes_from_the_form_through_moderation_into_the_thread(newsroom):
    comments = f"/api/v1/articles/{MOSCOW}/comments"
    newsroom.open(f"article.html?slug={MOSCOW}")
    _fill(newsroom, content="My thoughts are with the families.", author_name="Maria Keller")
    _submit(newsroom)
    email = newsroom.find("#reply-author_email")
    error = newsroom.find("#reply-author_email-error")
    assert error.text and email.get_attribute("aria-invalid") == "true"
    assert email.get_attribute("aria-describedby") == "reply-author_email-error"
    assert newsroom.driver.switch_to.active_element == email
    assert not newsroom.find_all("#reply-author_name-error:not([hidden])")
    assert _failed_requests(newsroom.driver) == [(comments, 422)]

    _fill(newsroom, author_email="maria@example.org", author_url="https://maria.example")
    _submit(newsroom)
    assert newsroom.find(".form-status .pending").text == "Thank you. Your comment is awaiting moderation."
    assert not newsroom.find_all("#reply-author_email-error:not([hidden])")
    assert newsroom.find("#reply-content").get_attribute("value") == ""
    assert not newsroom.find_all(".comment-list .comment")

    comment = newsroom.approve("My thoughts are with the families.")
    newsroom.open(f"article.html?slug={MOSCOW}")
    shown = newsroom.find(f"#comment-{comment['id']}")
    assert "My thoughts are with the families." in shown.text
    assert shown.find_element(By.LINK_TEXT, "Maria Keller").get_attribute("href") == "https://maria.example/"
    avatar = shown.find_element(By.CSS_SELECTOR, "img.avatar")
    newsroom.driver.execute_script("arguments[0].scrollIntoView()", avatar)
    waiting(newsroom.driver).until(lambda driver: driver.execute_script("return arguments[0].naturalWidth", avatar))
    assert newsroom.find("#comments-title").text == "1 Comment"

    shown.find_element(By.CSS_SELECTOR, ".reply-link").click()
    assert newsroom.find("#reply-title").text == "Leave a Reply to Maria Keller"
    assert newsroom.driver.switch_to.active_element == newsroom.find("#reply-content")
    _fill(newsroom, content="Thank you for saying so.", author_name="Tom Ruiz", author_email="tom@example.org")
    _submit(newsroom)
    assert newsroom.find(".form-status .pending").is_displayed()
    assert newsroom.find("#reply-title").text == "Leave a Reply"
    reply = newsroom.approve("Thank you for saying so.")
    assert reply["parent_id"] == comment["id"]
    newsroom.open(f"article.html?slug={MOSCOW}")
    nested = newsroom.find(f"#comment-{comment['id']} + ol.children #comment-{reply['id']}")
    assert "Thank you for saying so." in nested.text

    # Maria's receipt token is in this browser, and a moderator approved her: she is published at once.
    _fill(newsroom, content="One more thought.", author_name="Maria Keller", author_email="maria@example.org")
    _submit(newsroom)
    assert newsroom.find(".form-status p").text == "Thank you. Your comment is published."
    assert "One more thought." in newsroom.find(".comment-list > li:last-child .comment").text


def test_too_many_comments_say_how_long_to_wait(newsroom):
    newsroom.open(f"article.html?slug={ECLIPSE}")
    for attempt in range(6):
        _fill(newsroom, content=f"Comment number {attempt}.", author_name="Eager", author_email="eager@example.org")
        _submit(newsroom)
        if newsroom.find_all(".rate-limited"):
            break
    message = newsroom.find(".rate-limited").text
    assert re.fullmatch(
        r"You have sent several comments in a short time\. Please wait \d+ (minutes|seconds) .*", message
    )
    assert set(_failed_requests(newsroom.driver)) == {(f"/api/v1/articles/{ECLIPSE}/comments", 429)}


AXE = (resources.files("selenium_axe_python") / "axe-core" / "axe.min.js").read_text()


@pytest.mark.parametrize("page", ["", f"article.html?slug={MOSCOW}", "author.html?slug=alok-verma"])
def test_pages_have_no_serious_accessibility_violations(newsroom, page):
    newsroom.open(page)
    newsroom.driver.execute_script(AXE)
    result = newsroom.driver.execute_async_script(
        "axe.run(document, {resultTypes: ['violations']}).then(arguments[arguments.length - 1])"
    )
    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_the_article_reads_on_a_phone_and_a_desktop(newsroom, tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("screenshots")
    for width in (375, 1280):
        newsroom.driver.set_window_size(width, 1000)
        newsroom.open(f"article.html?slug={MOSCOW}")
        newsroom.find("#respond")
        viewport, page = newsroom.driver.execute_script(
            "return [window.innerWidth, document.documentElement.scrollWidth]"
        )
        assert page <= viewport, f"the page scrolls sideways at {width} px"
        body = newsroom.find(".story-body p")
        font_size = float(newsroom.driver.execute_script("return getComputedStyle(arguments[0]).fontSize", body)[:-2])
        assert font_size >= 16 and body.size["width"] <= 720
        height = newsroom.driver.execute_script("return document.documentElement.scrollHeight")
        newsroom.driver.set_window_size(width, height)
        newsroom.driver.save_screenshot(str(folder / f"article-{width}.png"))
    print(f"\nScreenshots of the article page: {folder}")


MARKUP = '<img src="/x" class="injected"><script>document.title = "injected"</script>'


def test_plain_text_fields_stay_text(newsroom):
    article = {
        "title": f"Headline {MARKUP}",
        "subtitle": f"Dek {MARKUP}",
        "authors": ["alok-verma"],
        "section": "world",
        "tags": [f"Tag {MARKUP}"],
        "status": "published",
        "featured_image": {"url": "https://images.example.com/x.jpg", "alt": MARKUP, "caption": MARKUP},
        "body": [
            {"type": "heading", "text": f"Heading {MARKUP}"},
            {"type": "paragraph", "text": f"Paragraph <em>kept</em> {MARKUP}"},
            {"type": "quote", "text": "Quoted", "cite": MARKUP},
            {"type": "embed", "url": "https://video.example/1", "title": MARKUP},
        ],
    }
    created = loopback.post(f"{newsroom.base}/api/v1/articles", json=article, headers=newsroom.editor)
    slug = created.raise_for_status().json()["slug"]
    newsroom.open(f"article.html?slug={slug}")
    assert newsroom.find("article.story h1").text == article["title"]
    assert newsroom.find(".story .dek").text == article["subtitle"]
    assert newsroom.find(".story-body h2").text.rstrip(" #") == f"Heading {MARKUP}"
    assert newsroom.find(".story-body figure.quote cite").text == MARKUP
    assert newsroom.find(".story-body figure.embed a").text == MARKUP
    assert newsroom.find(".story figure.featured figcaption").text.startswith(MARKUP)
    assert newsroom.find(".tags a").text == f"Tag {MARKUP}"
    # The API's sanitised inline HTML is markup: its emphasis stays, its script and image were removed.
    assert newsroom.find(".story-body p em").text == "kept"
    assert not newsroom.find_all(".injected") and newsroom.driver.title == f"{article['title']} — Byline"


def _shown_picture(newsroom: Newsroom, css: str) -> dict:
    """The `<img>` at `css` once loaded: its attributes, what the browser chose and how it is cropped."""
    img = newsroom.find(css)
    newsroom.driver.execute_script("arguments[0].scrollIntoView()", img)
    waiting(newsroom.driver).until(
        lambda driver: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
    )
    return newsroom.driver.execute_script(
        """const img = arguments[0];
        return {width: img.getAttribute("width"), height: img.getAttribute("height"), srcset: img.srcset,
                sizes: img.sizes, loading: img.loading, chosen: img.currentSrc, natural_width: img.naturalWidth,
                waiting: img.classList.contains("placeholder"),
                focus: getComputedStyle(img).objectPosition,
                webp: [...img.parentElement.querySelectorAll("source")].map((source) => source.type)};""",
        img,
    )


def test_a_library_picture_keeps_its_place_and_loads_only_the_rendition_the_page_needs(newsroom):
    uploaded = (
        loopback.post(
            f"{newsroom.base}/api/v1/media",
            files={"file": ("harbour.jpg", photo(1800, 1200), "image/jpeg")},
            data={"alt": "The harbour at dawn", "credit": "Photo desk"},
            headers=newsroom.photo_desk,
        )
        .raise_for_status()
        .json()
    )
    media = f"{newsroom.base}/api/v1/media/{uploaded['id']}"
    loopback.patch(media, json={"focal_point": {"x": 0.25, "y": 0.75}}, headers=newsroom.photo_desk).raise_for_status()
    article = {
        "title": "The harbour reopens at dawn",
        "authors": ["alok-verma"],
        "section": "world",
        "status": "published",
        "featured_image": {"media_id": uploaded["id"]},
        "body": [{"type": "paragraph", "text": "Boats went out."}, {"type": "image", "media_id": uploaded["id"]}],
    }
    created = loopback.post(f"{newsroom.base}/api/v1/articles", json=article, headers=newsroom.editor)
    slug = created.raise_for_status().json()["slug"]
    webp = {url: int(width[:-1]) for url, width in (c.split() for c in uploaded["sources"][0]["srcset"].split(", "))}

    for viewport in (375, 1280):
        newsroom.driver.set_window_size(viewport, 1000)
        newsroom.open(f"article.html?slug={slug}")
        for css in (".story figure.featured img", ".story-body figure img"):
            shown = _shown_picture(newsroom, css)
            # The page reserves the picture's place before any byte of it arrives.
            assert (shown["width"], shown["height"]) == ("1800", "1200")
            assert shown["webp"] == ["image/webp"] and shown["srcset"] and shown["sizes"]
            # A rendition no wider than the page needs, never the 1,800 px original.
            assert webp.get(shown["chosen"], 0) in range(viewport // 2, 1025), shown["chosen"]
            assert not shown["waiting"], "the blurred stand-in goes once the picture is there"
            assert shown["focus"] == "25% 75%"
    newsroom.open("index.html")
    card = _shown_picture(newsroom, f'.card:has(a[href="article.html?slug={slug}"]) img')
    assert card["chosen"] in webp and card["width"] == "1800"


def test_the_front_page_leads_with_the_home_collection_and_articles_send_one_beacon(newsroom):
    # Last in the module: the other tests read the front page in date order.
    latest = [article["slug"] for article in newsroom.api("/articles", limit="3")["data"]]
    home = {"title": "Home", "items": [{"article": latest[2], "label": "Analysis"}, {"article": latest[0]}]}
    url = f"{newsroom.base}/api/v1/collections/home"
    loopback.put(url, json=home, headers=newsroom.editor).raise_for_status()
    try:
        newsroom.open("")
        lead = newsroom.find(".picks .card.lead")
        assert lead.find_element(By.CSS_SELECTOR, ".label").text == "ANALYSIS"
        picked = [a.get_attribute("href") for a in newsroom.find_all(".picks .card-title a")]
        assert [re.search(r"slug=([\w-]+)", href)[1] for href in picked] == [latest[2], latest[0]]
        newsroom.open(f"article.html?slug={MOSCOW}")
        newsroom.find("#respond")
        # The browser lists a beacon once its answer is in, which may come after the page shows.
        beacons = waiting(newsroom.driver).until(
            lambda driver: driver.execute_script(
                "return performance.getEntriesByType('resource')"
                ".filter(entry => entry.initiatorType === 'beacon').map(entry => entry.name)"
            )
        )
        assert [re.sub(r"^https?://[^/]+", "", url) for url in beacons] == [f"/api/v1/articles/{MOSCOW}/views"]
    finally:
        loopback.delete(url, headers=newsroom.editor).raise_for_status()
