"""Feeds as feed readers parse them (feedparser), JSON Feed against its specification's required fields."""

import html
from datetime import timedelta

import feedparser
import pytest

from app.main import create_app
from tests.app_client import AppClient
from tests.caching.test_http_cache import warm
from tests.factories.newsroom import make_article, make_author, make_section

FILES = ["rss.xml", "atom.xml", "feed.json"]


def _entries(answer) -> list[dict]:
    """Every entry as title, link, id, authors, categories, content and dates, whatever the format."""
    if answer.headers["content-type"].startswith("application/feed+json"):
        document = answer.json()
        assert document["version"] == "https://jsonfeed.org/version/1.1" and document["title"]
        assert all(item["id"] and (item.get("content_html") or item.get("content_text")) for item in document["items"])
        return [
            {
                "title": item["title"],
                "link": item["url"],
                "id": item["id"],
                "authors": [author["name"] for author in item["authors"]],
                "categories": item["tags"],
                "content": item["content_html"],
                "published": item["date_published"][:19],
            }
            for item in document["items"]
        ]
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.bozo_exception
    return [
        {
            "title": entry.title,
            "link": entry.link,
            "id": entry.id,
            "authors": [author.get("name") for author in entry.get("authors", [])],
            "categories": [tag.term for tag in entry.get("tags", [])],
            "content": entry.content[0].value,
            "published": "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}".format(*entry.published_parsed[:6]),
        }
        for entry in parsed.entries
    ]


@pytest.mark.parametrize("file", FILES)
def test_the_site_feed_carries_the_newest_articles_in_full(client, session, clock, file):
    section = make_section(session, name="Harbour")
    author = make_author(session, name="Alok Verma")
    older = make_article(session, title="Older story", published_at=clock.now - timedelta(days=2))
    lead = make_article(
        session,
        title="Harbour reopens",
        authors=[author.slug],
        section=section.slug,
        tags=["Ports"],
        body=[
            {"type": "heading", "text": "What changed"},
            {"type": "paragraph", "text": "Ships <script>alert(1)</script>are back."},
        ],
        published_at=clock.now - timedelta(hours=1),
    )
    make_article(session, title="A draft", status="draft")
    answer = warm(client, f"/feeds/{file}")
    assert answer.status_code == 200 and answer.headers["ETag"] and answer.headers["Last-Modified"]
    entries = _entries(answer)
    assert [entry["title"] for entry in entries] == ["Harbour reopens", "Older story"]
    first = entries[0]
    assert first["authors"] == ["Alok Verma"] and set(first["categories"]) == {"Harbour", "Ports"}
    assert "What changed" in first["content"] and "are back" in first["content"] and "<script" not in first["content"]
    assert first["published"] == (clock.now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert first["link"] == f"http://testserver/article.html?slug={lead.slug}"
    assert first["id"].startswith("urn:uuid:") and first["id"] != entries[1]["id"]
    assert "@" not in answer.text and older.slug not in first["id"]


@pytest.mark.parametrize("file", FILES)
def test_section_author_and_tag_feeds_hold_only_their_articles(client, session, file):
    section = make_section(session, name="Harbour")
    lead = make_article(session, title="Harbour reopens", section=section.slug, tags=["Ports"])
    make_article(session, title="Council budget")
    author = lead.authors[0].slug
    for path in (f"sections/{section.slug}", f"authors/{author}", "tags/ports"):
        assert [entry["title"] for entry in _entries(client.get(f"/feeds/{path}/{file}"))] == ["Harbour reopens"]
    for path in ("sections/no-such", "authors/no-such", "tags/no-such"):
        missing = client.get(f"/feeds/{path}/{file}")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_a_guid_survives_a_slug_change_and_links_follow_the_frontend_pattern(client, session, settings, editor, clock):
    article = make_article(session, title="Harbour reopens")
    before = _entries(client.get("/feeds/atom.xml"))[0]["id"]
    client.patch(f"/api/v1/articles/{article.slug}", json={"slug": "harbour-opens"}, headers=editor)
    assert _entries(client.get("/feeds/atom.xml"))[0]["id"] == before
    pattern = settings.model_copy(update={"article_url": "https://news.example/{section}/{slug}"})
    with AppClient(create_app(pattern, clock=clock)) as frontend:
        assert _entries(frontend.get("/feeds/atom.xml"))[0]["link"] == "https://news.example/news/harbour-opens"


@pytest.mark.parametrize("file", ["rss.xml", "atom.xml"])
def test_a_feed_links_to_the_site_and_names_itself_as_self(client, session, file):
    make_article(session)
    parsed = feedparser.parse(client.get(f"/feeds/{file}").content)
    assert parsed.feed.link == "http://testserver"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"alternate": "http://testserver", "self": f"http://testserver/feeds/{file}"}


@pytest.mark.parametrize("file", ["rss.xml", "atom.xml"])
@pytest.mark.parametrize("going_live", ["scheduled", "embargoed"])
def test_the_build_date_is_never_older_than_an_article_that_went_live_later(client, session, clock, file, going_live):
    make_article(session, title="Older story", published_at=clock.now - timedelta(days=90), now=clock.now)
    later = clock.now + timedelta(hours=1)
    if going_live == "scheduled":
        make_article(session, title="Harbour reopens", published_at=later, now=clock.now)
    else:
        make_article(session, title="Harbour reopens", embargo_until=later.isoformat(), now=clock.now)
    clock.now += timedelta(hours=2)
    parsed = feedparser.parse(client.get(f"/feeds/{file}").content)
    assert [entry.title for entry in parsed.entries] == ["Harbour reopens", "Older story"]
    # RSS's lastBuildDate, Atom's feed and entry <updated>: when the article appeared, not when it was written.
    assert parsed.feed.updated_parsed[:6] == later.timetuple()[:6]
    if file == "atom.xml":
        assert parsed.entries[0].updated_parsed[:6] == later.timetuple()[:6]


def test_json_feed_items_are_modified_no_earlier_than_they_went_live(client, session, clock):
    later = clock.now + timedelta(hours=1)
    make_article(session, published_at=later, now=clock.now)
    clock.now += timedelta(hours=2)
    [item] = client.get("/feeds/feed.json").json()["items"]
    assert item["date_modified"] == item["date_published"] == later.isoformat()


def test_links_go_to_the_api_when_the_example_site_is_off(settings, session, clock):
    article = make_article(session)
    with AppClient(create_app(settings.model_copy(update={"serve_frontend": False}), clock=clock)) as client:
        [entry] = _entries(client.get("/feeds/rss.xml"))
    assert entry["link"] == f"http://testserver/api/v1/articles/{article.slug}"


def test_feed_readers_polling_get_304_until_something_changes(client, session, editor):
    article = make_article(session)
    first = warm(client, "/feeds/rss.xml")
    for conditional in (
        {"If-None-Match": first.headers["ETag"]},
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ):
        assert client.get("/feeds/rss.xml", headers=conditional).status_code == 304
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Changed"}, headers=editor)
    assert client.get("/feeds/rss.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("file", FILES)
def test_control_characters_a_headline_or_name_was_sent_with_never_break_a_feed(client, session, file):
    """JSON carries characters XML 1.0 cannot: feeds leave them out instead of failing or breaking."""
    author = make_author(session, name="Alok\x1f Verma")
    make_article(session, title="Harbour\x0b reopens\x0c", authors=[author.slug], tags=["Ports\x08"])
    answer = client.get(f"/feeds/{file}")
    assert answer.status_code == 200
    [entry] = _entries(answer)
    if file == "feed.json":
        assert entry["title"] == "Harbour\x0b reopens\x0c"
    else:
        assert entry["title"] == "Harbour reopens" and entry["authors"] == ["Alok Verma"]
        assert "Ports" in entry["categories"]


@pytest.mark.parametrize("file", FILES)
def test_text_that_shows_markup_stays_text_in_every_feed(client, session, file):
    shown = "Why <img src=x onerror=alert(1)> & <script>alert(2)</script> fail"
    make_article(session, title=shown, excerpt=shown, body=[{"type": "paragraph", "text": shown}])
    answer = client.get(f"/feeds/{file}")
    if file == "feed.json":
        [item] = answer.json()["items"]
        assert (item["title"], item["summary"]) == (shown, shown)
        markup = [item["content_html"]]
    else:
        # As a reader would take it: HTML where the feed says HTML, whatever it holds.
        [entry] = feedparser.parse(answer.content, sanitize_html=False).entries
        for detail in (entry.title_detail, entry.summary_detail):
            as_text = html.unescape(detail.value) if detail.type == "text/html" else detail.value
            assert as_text == shown
        markup = [entry.summary for detail in [entry.summary_detail] if detail.type == "text/html"]
        markup += [entry.content[0].value]
    for fragment in markup:
        assert "<img" not in fragment and "<script" not in fragment
