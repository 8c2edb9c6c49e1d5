"""Surrogate keys: after any write, every public answer that changed named a key the write purged,
so a CDN told to purge those keys never serves a stale answer."""

from sqlmodel import col, select

from app.outbox.models import OutboxEvent
from tests.comments.helpers import reply
from tests.factories.newsroom import make_article, make_section


def _answers(client, paths: list[str]) -> dict[str, tuple[int, bytes, set[str]]]:
    shown = {}
    for path in paths:
        answer = client.get(path)
        shown[path] = (answer.status_code, answer.content, set(answer.headers.get("Surrogate-Key", "").split()))
    return shown


def _correction(client, slug: str) -> str:
    [correction] = client.get(f"/api/v1/articles/{slug}").json()["corrections"]
    return f"/api/v1/articles/{slug}/corrections/{correction['id']}"


def _purged_since(session, last_id: int) -> tuple[set[str], int]:
    session.expire_all()
    events = session.exec(
        select(OutboxEvent).where(OutboxEvent.topic == "cache.purge", col(OutboxEvent.id) > last_id)
    ).all()
    purged = {key for event in events for key in event.payload["keys"]}
    newest = max([last_id, *(event.id for event in events)])
    session.rollback()  # a read must not hold SQLite's write lock against the API
    return purged, newest


def test_every_answer_a_write_changes_carries_a_key_the_write_purged(client, session, editor, api_key):
    section = make_section(session, name="Harbour")
    lead = make_article(session, title="Harbour reopens", section=section.slug, tags=["Ports", "Weather"])
    other = make_article(session, title="Storm closes harbour", tags=["Weather"])
    # Plain strings: touching an expired ORM object would open a transaction holding SQLite's write lock.
    author, other_author = lead.authors[0].slug, other.authors[0].slug
    section, lead, other = section.slug, lead.slug, other.slug
    moderator = api_key("comments:moderate")
    pending = reply(client, lead).json()["id"]
    since = client.get("/api/v1/changes").json()["meta"]["next_cursor"]
    paths = [
        "/api/v1/changes",
        f"/api/v1/changes?since={since}",
        "/api/v1/articles",
        f"/api/v1/articles?section={section}",
        "/api/v1/articles?tag=weather",
        "/api/v1/articles?q=harbour",
        f"/api/v1/articles/{lead}",
        f"/api/v1/articles/{other}",
        f"/api/v1/articles/{lead}/related",
        f"/api/v1/articles/{lead}/comments",
        "/api/v1/authors",
        f"/api/v1/authors/{author}",
        f"/api/v1/authors/{author}/articles",
        "/api/v1/sections",
        f"/api/v1/sections/{section}",
        "/api/v1/tags",
        "/api/v1/tags/weather",
        "/api/v1/tags/ports",
    ]
    writes = {
        "edit a title": lambda: client.patch(
            f"/api/v1/articles/{lead}", json={"title": "Harbour opens"}, headers=editor
        ),
        "approve a comment": lambda: client.patch(
            f"/api/v1/comments/{pending}", json={"status": "approved"}, headers=moderator
        ),
        "add a correction": lambda: client.post(
            f"/api/v1/articles/{lead}/corrections", json={"text": "The harbour opened on Monday."}, headers=editor
        ),
        "edit a correction": lambda: client.patch(
            _correction(client, lead), json={"text": "The harbour opened on Tuesday."}, headers=editor
        ),
        "remove a correction": lambda: client.delete(_correction(client, lead), headers=editor),
        "rename an author": lambda: client.patch(
            f"/api/v1/authors/{author}", json={"name": "A. Reporter"}, headers=editor
        ),
        "rename a section": lambda: client.patch(f"/api/v1/sections/{section}", json={"name": "Ports"}, headers=editor),
        "rename a tag": lambda: client.patch(
            "/api/v1/tags/weather", json={"name": "Weather and climate"}, headers=editor
        ),
        "pin a related article": lambda: client.put(
            f"/api/v1/articles/{lead}/related/pins", json={"slugs": [other]}, headers=editor
        ),
        "publish an article": lambda: client.post(
            "/api/v1/articles",
            json={
                "title": "Harbour traffic doubles",
                "authors": [other_author],
                "tags": ["Ports"],
                "status": "published",
                "body": [{"type": "paragraph", "text": "Ships return to the harbour."}],
            },
            headers=editor,
        ),
        "delete a tag": lambda: client.delete("/api/v1/tags/ports", headers=editor),
        "delete an article": lambda: client.delete(f"/api/v1/articles/{other}", headers=editor),
    }
    _, last = _purged_since(session, 0)
    for name, write in writes.items():
        before = _answers(client, paths)
        assert all(keys for status, _, keys in before.values() if status == 200), name
        assert write().is_success, name
        purged, last = _purged_since(session, last)
        after = _answers(client, paths)
        changed = [path for path in paths if before[path][:2] != after[path][:2]]
        assert changed, f"{name} changed nothing anyone sees"
        for path in changed:
            assert before[path][2] & purged, f"{name}: {path} changed, but none of its keys was purged"


def test_the_longest_pages_name_no_more_keys_than_cdns_read_and_are_still_purged(client, session, editor, api_key):
    long_title = "harbour reopening after the winter storms " * 5
    articles = [make_article(session, title=f"{n} {long_title}", tags=["Ports", f"Topic {n}"]) for n in range(100)]
    commented, renamed_author = articles[50].slug, articles[10].authors[0].slug
    assert len(commented) > 150
    moderator = api_key("comments:moderate")
    pending = reply(client, commented).json()["id"]
    page = "/api/v1/articles?limit=100"
    answer = client.get(page)
    for header in ("Surrogate-Key", "Cache-Tag"):
        # Fastly's and Cloudflare's limit.
        assert len(answer.headers[header]) <= 16 * 1024, header
    writes = {
        "approve a comment": lambda: client.patch(
            f"/api/v1/comments/{pending}", json={"status": "approved"}, headers=moderator
        ),
        "rename an author": lambda: client.patch(
            f"/api/v1/authors/{renamed_author}", json={"name": "A. Reporter"}, headers=editor
        ),
        "rename a tag": lambda: client.patch("/api/v1/tags/topic-3", json={"name": "Topic three"}, headers=editor),
    }
    _, last = _purged_since(session, 0)
    for name, write in writes.items():
        before = _answers(client, [page])[page]
        assert write().is_success, name
        purged, last = _purged_since(session, last)
        after = _answers(client, [page])[page]
        assert before[1] != after[1], f"{name} changed nothing on the page"
        assert before[2] & purged, f"{name}: the page changed, but none of its keys was purged"
