"""The change feed's contract: nothing hidden shows, cursors are checked, pages walk every change
once, and answers are cached only while they are true."""

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session

from app.articles import editing
from app.articles.schemas import ArticleCreate, ArticleUpdate
from app.web.pagination import seal_cursor
from tests.caching.test_http_cache import warm
from tests.changes.helpers import OfflineCopy
from tests.conftest import BACKENDS, TEST_SECRET
from tests.factories.newsroom import make_article, make_author


def _feed(client, **params) -> dict:
    answer = client.get("/api/v1/changes", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_drafts_scheduled_and_embargoed_articles_never_show(client, session, clock):
    public = make_article(session, title="Harbour reopens", now=clock.now).slug
    hidden = [
        make_article(session, title="Merger talks", status="draft", now=clock.now),
        make_article(
            session, title="Budget day", status="scheduled", published_at=clock.now + timedelta(days=1), now=clock.now
        ),
        make_article(session, title="Study results", embargo_until=clock.now + timedelta(days=1), now=clock.now),
        make_article(session, title="Old story", status="archived", now=clock.now),
    ]
    since = _feed(client)["meta"]["next_cursor"]
    for article in hidden:
        editing.update_article(
            session, article, ArticleUpdate(title=f"{article.title}, revised"), now=clock.now, actor="t"
        )
    renamed = editing.update_article(session, hidden[0], ArticleUpdate(slug="talks-renamed"), now=clock.now, actor="t")
    editing.delete_article(session, renamed, now=clock.now)
    editing.delete_article(session, hidden[1], now=clock.now)
    session.rollback()

    for answer in (client.get("/api/v1/changes"), client.get("/api/v1/changes", params={"since": since})):
        for article in hidden:
            assert article.slug.encode() not in answer.content
        assert b"talks-renamed" not in answer.content
    assert [(e["kind"], e["slug"]) for e in _feed(client)["data"]] == [("upsert", public)]
    assert _feed(client, since=since)["data"] == []


def test_entries_name_the_slug_the_time_and_where_to_fetch_the_article(client, session, clock):
    article = make_article(session, title="Harbour reopens", now=clock.now)
    [entry] = _feed(client)["data"]
    assert entry == {
        "kind": "upsert",
        "slug": article.slug,
        "former_slug": None,
        "changed_at": clock.now.isoformat().replace("+00:00", "Z"),
        "updated_at": clock.now.isoformat().replace("+00:00", "Z"),
        "url": f"http://testserver/api/v1/articles/{article.slug}",
    }


@pytest.mark.parametrize(
    "since",
    [
        "not-a-cursor",
        "a" * 1501,
        "abc!",
        seal_cursor('[1, 2, "2025-01-01T00:00:00+00:00", 0]', TEST_SECRET),
        seal_cursor('[1, 2, "2025-01-01T00:00:00", 0, 0]', TEST_SECRET),
        seal_cursor('[-1, 2, "2025-01-01T00:00:00+00:00", 0, 0]', TEST_SECRET),
        seal_cursor('["2025-01-01T00:00:00+00:00", 3]', TEST_SECRET),
    ],
)
def test_a_cursor_this_feed_did_not_issue_is_refused_naming_since(client, since):
    answer = client.get("/api/v1/changes", params={"since": since})
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert [error["parameter"] for error in answer.json()["errors"]] == ["since"]


def test_a_cursor_of_another_list_is_refused(client, session):
    for _ in range(2):
        make_article(session)
    cursor = client.get("/api/v1/articles", params={"limit": 1}).json()["meta"]["next_cursor"]
    answer = client.get("/api/v1/changes", params={"since": cursor})
    assert answer.status_code == 422 and answer.json()["errors"][0]["parameter"] == "since"


def test_pages_walk_every_change_once_and_end_with_a_cursor_to_poll_with(client, session, clock):
    slugs = {make_article(session, title=f"Story number {n}", now=clock.now).slug for n in range(23)}
    copy = OfflineCopy()
    pages = 0
    while True:
        page = _feed(client, limit=5, **({"since": copy.cursor} if copy.cursor else {}))
        pages += 1
        copy.seen += page["data"]
        copy.cursor = page["meta"]["next_cursor"]
        assert f"since={copy.cursor}" in page["links"]["next"]
        if not page["meta"]["has_more"]:
            break
    assert pages == 5
    assert sorted(entry["slug"] for entry in copy.seen) == sorted(slugs)

    quiet = client.get("/api/v1/changes", params={"since": copy.cursor})
    assert quiet.json()["data"] == [] and quiet.json()["meta"] == {"next_cursor": copy.cursor, "has_more": False}
    assert "Link" not in quiet.headers

    later = make_article(session, now=clock.now)
    editing.update_article(session, later, ArticleUpdate(title="Edited later"), now=clock.now, actor="t")
    session.rollback()
    assert len(_feed(client, since=copy.cursor)["data"]) == 1


def test_go_lives_and_writes_page_together_without_loss(client, session, clock):
    """Many articles go live at once behind the client's position while others are written."""
    copy = OfflineCopy()
    copy.sync(client)
    for n in range(7):
        make_article(session, status="scheduled", published_at=clock.now + timedelta(minutes=n + 1), now=clock.now)
    copy.sync(client)
    for n in range(6):
        make_article(session, title=f"Written now {n}", now=clock.now)
    session.rollback()
    clock.now += timedelta(minutes=10)
    entries = copy.sync(client, limit=4)
    assert len(entries) == 13 and len({e["slug"] for e in entries}) == 13


def test_the_feed_is_cached_until_a_write_or_a_go_live(client, session, clock):
    make_article(session, now=clock.now)
    coming = make_article(session, status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now)
    session.rollback()
    since = _feed(client)["meta"]["next_cursor"]
    path = f"/api/v1/changes?since={since}"
    cached = warm(client, path)
    assert cached.json()["data"] == [] and "changes" in cached.headers["Surrogate-Key"].split()
    assert client.get(path, headers={"If-None-Match": cached.headers["ETag"]}).status_code == 304

    clock.now += timedelta(hours=1)
    live = client.get(path)
    assert live.headers["X-Cache"] != "HIT" and [e["slug"] for e in live.json()["data"]] == [coming.slug]

    written = make_article(session, now=clock.now)
    session.rollback()
    fresh = client.get(path)
    assert fresh.headers["X-Cache"] != "HIT"
    assert [e["slug"] for e in fresh.json()["data"]] == [coming.slug, written.slug]


@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_a_write_that_commits_after_a_later_one_is_not_missed(client, engine, session, clock):
    """Two writers: the first holds its transaction open while the second starts. Were entries
    ordered by when each write began, a reader between the two commits would pass the first for
    good; ordered by the content version (taken under its row lock), the second waits for it."""
    author = make_author(session).slug
    session.rollback()
    copy = OfflineCopy()
    copy.sync(client)

    def create(db: Session, title: str) -> str:
        data = ArticleCreate(title=title, authors=[author], status="published")
        return editing.add_article(db, data, now=clock.now, actor="t").slug

    first_writer = Session(engine, expire_on_commit=False)
    first = create(first_writer, "Written first")
    second: list[str] = []

    def second_writer() -> None:
        with Session(engine, expire_on_commit=False) as db:
            second.append(create(db, "Written second"))
            db.commit()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    between = copy.sync(client)
    first_writer.commit()
    first_writer.close()
    thread.join(timeout=10)
    after = copy.sync(client)
    assert between == []
    assert sorted(entry["slug"] for entry in after) == sorted([first, *second])
