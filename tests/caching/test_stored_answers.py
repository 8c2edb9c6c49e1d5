"""Stored answers (an article, a page of the article list): an anonymous read stores what it
built, later reads send it as stored, and no write, rename, moderation or go-live ever lets a stored
answer outlive what it shows."""

import asyncio
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.articles import seo
from app.caching import stored_answers
from app.caching.content_version import ContentVersion
from app.caching.stored_answers import RenderedAnswer
from app.main import create_app
from app.wiring import upgrade_database
from tests.app_client import AppClient
from tests.comments.helpers import approve, reply
from tests.conftest import PROXY_ADDRESS
from tests.factories.newsroom import make_article, make_author, make_section

TAMPERED = b'{"stored": true}'


@pytest.fixture
def uncached(settings, clock) -> Iterator[AppClient]:
    """A client of an app without its response cache, so every read reaches the stored answers."""
    app = create_app(settings.model_copy(update={"response_cache": False}), clock=clock)
    with AppClient(app, client=(PROXY_ADDRESS, 50000)) as client:
        yield client


def _stored(session: Session, slug: str | None) -> dict | None:
    """The stored answer's columns, read in a session of its own: the test's objects stay loaded,
    and SQLite's write lock, which every transaction of the tests' engine takes, is not kept."""
    with Session(session.get_bind()) as reader:
        row = reader.exec(select(RenderedAnswer).where(RenderedAnswer.path == _path(slug))).first()
        return row and row.model_dump()


def _path(slug: str | None) -> str:
    return "/api/v1/articles" if slug is None else f"/api/v1/articles/{slug}"


def _tamper(session: Session, slug: str | None) -> None:
    """Mark a stored answer, so a read that sends it shows it was not rendered again."""
    with Session(session.get_bind()) as writer:
        writer.execute(update(RenderedAnswer).where(col(RenderedAnswer.path) == _path(slug)).values(body=TAMPERED))
        writer.commit()


@pytest.mark.parametrize("listed", [False, True], ids=["article", "list"])
def test_a_read_stores_its_answer_and_the_next_read_sends_it_as_stored(listed, uncached, session):
    article = make_article(session, body=[{"type": "paragraph", "text": "The harbour reopened. " * 80}])
    slug = None if listed else article.slug
    path = _path(slug)
    first = uncached.get(path)
    stored = _stored(session, slug)
    assert stored is not None and stored["body"] == first.content
    second = uncached.get(path)
    assert second.content == first.content
    for name in ("ETag", "Surrogate-Key", "Cache-Tag", "Vary", "Content-Type", "Content-Security-Policy"):
        assert second.headers[name] == first.headers[name], name
    assert uncached.head(path).headers["ETag"] == first.headers["ETag"]
    assert uncached.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    _tamper(session, slug)
    assert uncached.get(path).content == TAMPERED
    assert uncached.head(path).headers["Content-Length"] == str(len(TAMPERED))


def test_only_the_canonical_spelling_of_a_request_is_stored(uncached, session):
    article = make_article(session)
    for path in ("/api/v1/articles?limit=05", "/api/v1/articles?limit=5&limit=5", f"{_path(article.slug)}?utm=x"):
        assert uncached.get(path).status_code == 200
        assert _stored(session, article.slug) is None and _stored(session, None) is None, path
    assert uncached.get("/api/v1/articles?limit=5").status_code == 200
    with Session(session.get_bind()) as reader:
        assert reader.exec(select(RenderedAnswer.path)).all() == ["/api/v1/articles?limit=5"]
        reader.execute(update(RenderedAnswer).values(body=TAMPERED))
        reader.commit()
    assert uncached.get("/api/v1/articles?limit=5").content == TAMPERED
    assert uncached.get("/api/v1/articles?limit=05").json()["meta"]["total"] == 1


def test_a_stored_list_shows_an_article_going_live_at_its_time_with_no_write(uncached, session, clock):
    make_article(session)
    make_article(session, status="scheduled", published_at=clock.now + timedelta(minutes=5), now=clock.now)
    assert uncached.get("/api/v1/articles").json()["meta"]["total"] == 1
    assert _stored(session, None) is not None
    clock.now += timedelta(minutes=6)
    assert uncached.get("/api/v1/articles").json()["meta"]["total"] == 2


def test_reads_with_a_key_a_query_or_a_preview_neither_use_nor_store_it(uncached, session, editor):
    article = make_article(session)
    draft = make_article(session, status="draft")
    session.commit()  # issuing the editor's key took SQLite's write lock
    path = f"/api/v1/articles/{article.slug}"
    for options in ({"headers": editor}, {"params": {"fields": "slug,title"}}, {"params": {"include": "related"}}):
        assert uncached.get(path, **options).status_code == 200
        assert _stored(session, article.slug) is None, options
    for options in (
        {"headers": editor},
        {"params": {"tag": "harbour"}},
        {"params": {"status": "draft"}, "headers": editor},
    ):
        assert uncached.get("/api/v1/articles", **options).status_code == 200
        assert _stored(session, None) is None, options
    assert uncached.get(f"/api/v1/articles/{draft.slug}", headers=editor).status_code == 200
    assert _stored(session, draft.slug) is None
    uncached.get(path)
    _tamper(session, article.slug)
    assert uncached.get(path, headers=editor).json()["slug"] == article.slug
    assert uncached.get(path, params={"fields": "slug"}).json() == {"slug": article.slug}


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        ("title", lambda answer: answer["title"] == "Harbour reopens"),
        ("correction", lambda answer: [c["text"] for c in answer["corrections"]] == ["The vote was 7 to 2."]),
        ("correction edited", lambda answer: [c["text"] for c in answer["corrections"]] == ["The vote was 7 to 2."]),
        ("correction removed", lambda answer: answer["corrections"] == []),
        ("author", lambda answer: answer["authors"][0]["name"] == "Ada Reporter"),
        ("section", lambda answer: answer["section"]["name"] == "City Desk"),
        ("tag", lambda answer: [tag["name"] for tag in answer["tags"]] == ["Harbour News"]),
        ("tag deleted", lambda answer: answer["tags"] == []),
        ("section deleted", lambda answer: answer["section"]["slug"] == "city"),
        ("comment", lambda answer: answer["comment_count"] == 1),
        ("settings", lambda answer: answer["seo"]["canonical_url"].startswith("https://news.example/")),
    ],
)
def test_what_a_write_changes_is_never_sent_from_a_stored_answer(
    write, shows, uncached, session, editor, api_key, settings, clock
):
    section = make_section(session)
    session.commit()  # the section, and the editor's key
    corrections = [{"text": "The vote was 6 to 2."}] if write.startswith("correction ") else []
    article = make_article(session, section=section.slug, tags=["harbour"], corrections=corrections)
    path = f"/api/v1/articles/{article.slug}"
    before = uncached.get(path).json()
    uncached.get("/api/v1/articles")
    assert _stored(session, article.slug) is not None and _stored(session, None) is not None
    client = uncached
    if write == "title":
        assert uncached.patch(path, json={"title": "Harbour reopens"}, headers=editor).status_code == 200
    elif write == "correction":
        answer = uncached.post(f"{path}/corrections", json={"text": "The vote was 7 to 2."}, headers=editor)
        assert answer.status_code == 201, answer.text
    elif write.startswith("correction "):
        url = f"{path}/corrections/{before['corrections'][0]['id']}"
        if write == "correction edited":
            answer = uncached.patch(url, json={"text": "The vote was 7 to 2."}, headers=editor)
        else:
            answer = uncached.delete(url, headers=editor)
        assert answer.status_code == 200, answer.text
    elif write == "author":
        author = before["authors"][0]["slug"]
        answer = uncached.patch(f"/api/v1/authors/{author}", json={"name": "Ada Reporter"}, headers=editor)
        assert answer.status_code == 200, answer.text
    elif write == "section":
        answer = uncached.patch(f"/api/v1/sections/{section.slug}", json={"name": "City Desk"}, headers=editor)
        assert answer.status_code == 200, answer.text
    elif write == "tag":
        answer = uncached.patch("/api/v1/tags/harbour", json={"name": "Harbour News"}, headers=editor)
        assert answer.status_code == 200, answer.text
    elif write == "tag deleted":
        assert uncached.delete("/api/v1/tags/harbour", headers=editor).status_code == 204
    elif write == "section deleted":
        heir = uncached.post("/api/v1/sections", json={"slug": "city", "name": "City"}, headers=editor)
        assert heir.status_code == 201, heir.text
        answer = uncached.delete(f"/api/v1/sections/{section.slug}?reassign_to=city", headers=editor)
        assert answer.status_code == 204, answer.text
    elif write == "comment":
        moderator = api_key("comments:moderate")
        session.commit()  # issuing the key took SQLite's write lock
        approve(uncached, moderator, reply(uncached, article.slug).json()["id"])
    else:
        moved = settings.model_copy(update={"public_url": "https://news.example", "response_cache": False})
        client = AppClient(create_app(moved, clock=clock), client=(PROXY_ADDRESS, 50000)).__enter__()
    try:
        assert shows(client.get(path).json())
        assert shows(client.get(path).json())  # and what it stores in its place is the new answer
        if write != "settings" and not write.startswith("correction"):  # what only the article itself shows
            assert shows(client.get("/api/v1/articles").json()["data"][0])
    finally:
        if client is not uncached:
            client.__exit__(None, None, None)


def test_a_renamed_unpublished_or_deleted_article_leaves_nothing_behind(uncached, session, api_key, clock):
    editor = api_key("content:write", "content:preview", "content:embargo")
    renamed, hidden, embargoed, deleted = (make_article(session) for _ in range(4))
    session.commit()  # issuing the editor's key took SQLite's write lock
    for article in (renamed, hidden, embargoed, deleted):
        uncached.get(f"/api/v1/articles/{article.slug}")
        assert _stored(session, article.slug) is not None
    path = f"/api/v1/articles/{renamed.slug}"
    assert uncached.patch(path, json={"slug": "harbour-renamed"}, headers=editor).status_code == 200
    assert uncached.get(path, follow_redirects=False).status_code == 308
    assert uncached.get("/api/v1/articles/harbour-renamed").json()["slug"] == "harbour-renamed"

    path = f"/api/v1/articles/{hidden.slug}"
    assert uncached.patch(path, json={"status": "draft"}, headers=editor).status_code == 200
    assert uncached.get(path).status_code == 404

    path = f"/api/v1/articles/{embargoed.slug}"
    lifts = (clock.now + timedelta(hours=1)).isoformat()
    assert uncached.patch(path, json={"embargo_until": lifts}, headers=editor).status_code == 200
    assert uncached.get(path).status_code == 404

    path = f"/api/v1/articles/{deleted.slug}"
    assert uncached.delete(path, headers=editor).status_code == 204
    assert uncached.get(path).status_code in (404, 410)
    assert _stored(session, deleted.slug) is None


def _deep_pages(session: Session) -> dict[str, int | None]:
    with Session(session.get_bind()) as reader:
        rows = reader.exec(select(RenderedAnswer.path, RenderedAnswer.content_version)).all()
    return {path: version for path, version in rows if "cursor=" in path}


def _content_version(session: Session) -> int:
    with Session(session.get_bind()) as reader:
        return reader.exec(select(ContentVersion.version)).one()


def test_a_deep_page_is_sent_as_stored_only_until_the_next_write(uncached, session, editor):
    articles = [make_article(session, title=f"Harbour report {n}") for n in range(45)]
    session.commit()  # issuing the editor's key took SQLite's write lock
    second = uncached.get("/api/v1/articles").json()["links"]["next"]
    built = uncached.get(second)
    [(path, version)] = _deep_pages(session).items()
    assert second.endswith(path) and version == _content_version(session)
    with Session(session.get_bind()) as writer:
        writer.execute(update(RenderedAnswer).where(col(RenderedAnswer.path) == path).values(body=TAMPERED))
        writer.commit()
    assert uncached.get(second).content == TAMPERED

    # A write that names none of the page's keys still ends it: it shows what the write changed.
    shown = built.json()["data"][0]
    author = shown["authors"][0]["slug"]
    answer = uncached.patch(f"/api/v1/authors/{author}", json={"name": "Ada Reporter"}, headers=editor)
    assert answer.status_code == 200, answer.text
    assert uncached.get(second).json()["data"][0]["authors"][0]["name"] == "Ada Reporter"
    third = uncached.get(second).json()["links"]["next"]
    assert uncached.get(third).status_code == 200
    assert set(_deep_pages(session).values()) == {_content_version(session)}

    # Storing a page drops the pages of older versions: one per cursor at most, ever.
    answer = uncached.patch(f"/api/v1/articles/{articles[0].slug}", json={"title": "Reopens"}, headers=editor)
    assert answer.status_code == 200, answer.text
    assert uncached.get(third).status_code == 200
    assert list(_deep_pages(session)) == [third.removeprefix("http://testserver")]


def test_a_deep_page_is_sent_only_under_the_content_version_the_server_knows(uncached, session, clock):
    """A replica behind the same address may answer from another snapshot than the server's caches saw."""
    for _ in range(25):
        make_article(session)
    link = uncached.get("/api/v1/articles").json()["links"]["next"].removeprefix("http://testserver")
    assert uncached.get(link).status_code == 200
    answers = uncached.app.state.byline.stored_answers
    version = _content_version(session)

    def lookup(path: str, known: int | None):
        return uncached.portal.call(answers.get, path, clock.now, known)

    assert lookup(link, version) is not None
    assert lookup(link, version - 1) is None and lookup(link, None) is None
    assert lookup("/api/v1/articles", None) is not None  # purged by its keys, not bound to a version


def test_deep_pages_are_stored_as_their_links_spell_them_and_no_more_than_the_bound(uncached, session, monkeypatch):
    for _ in range(25):
        make_article(session)
    link = uncached.get("/api/v1/articles?limit=5").json()["links"]["next"].removeprefix("http://testserver")
    cursor = link.rpartition("cursor=")[2]
    assert link == f"/api/v1/articles?limit=5&cursor={cursor}"
    for query in (f"cursor={cursor}&limit=5", f"limit=5&cursor={cursor}&cursor={cursor}", f"cursor={cursor}&tag=x"):
        assert uncached.get(f"/api/v1/articles?{query}").status_code == 200
        assert _deep_pages(session) == {}, query
    walked = [link]
    for _ in range(2):
        walked.append(uncached.get(walked[-1]).json()["links"]["next"].removeprefix("http://testserver"))
    assert set(_deep_pages(session)) == set(walked[:2])
    with Session(session.get_bind()) as reader:
        deep = col(RenderedAnswer.content_version).is_not(None)
        kept_bytes = reader.exec(select(func.sum(func.length(RenderedAnswer.body))).where(deep)).one()
    monkeypatch.setattr(stored_answers, "DEEP_PAGES_BYTES", kept_bytes)
    assert uncached.get(walked[2]).status_code == 200
    assert set(_deep_pages(session)) == set(walked[:2])

    # After a write, each page stored drops a few of the stale ones.
    make_article(session)
    session.commit()
    monkeypatch.setattr(stored_answers, "STALE_PAGES_DROPPED", 1)
    assert uncached.get(walked[2]).status_code == 200
    kept = _deep_pages(session)
    assert len(kept) == 2 and kept[walked[2]] == _content_version(session)


def test_a_read_that_began_before_a_write_does_not_store_what_it_built(uncached, session, editor, engine):
    article = make_article(session)
    session.commit()  # issuing the editor's key took SQLite's write lock
    path = f"/api/v1/articles/{article.slug}"
    stale = uncached.get(path)
    row = _stored(session, article.slug)
    assert row is not None
    started_at = session.exec(select(ContentVersion.version)).one()
    session.commit()
    assert uncached.patch(path, json={"title": "Harbour reopens"}, headers=editor).status_code == 200
    stored_answers._store(engine, started_at, row | {"body": stale.content}, [f"article:{article.slug}"])
    assert _stored(session, article.slug) is None
    assert uncached.get(path).json()["title"] == "Harbour reopens"


def test_an_upgrade_drops_every_stored_answer(uncached, session, database_url):
    article = make_article(session)
    uncached.get(f"/api/v1/articles/{article.slug}")
    assert _stored(session, article.slug) is not None
    session.rollback()
    upgrade_database(database_url)
    assert _stored(session, article.slug) is None


def test_every_setting_the_page_head_reads_is_part_of_the_stamp():
    derived = {"base_url": "public_url", "site_url": "frontend_url"}
    sources = [Path(seo.__file__).with_name(name).read_text() for name in ("seo.py", "links.py")]
    read = {derived.get(name, name) for source in sources for name in re.findall(r"settings\.(\w+)", source)}
    assert read <= set(stored_answers.PAGE_SETTINGS)


def _stored_paths(session: Session) -> set[str]:
    with Session(session.get_bind()) as reader:
        return set(reader.exec(select(RenderedAnswer.path)).all())


def _tamper_path(session: Session, path: str) -> None:
    with Session(session.get_bind()) as writer:
        writer.execute(update(RenderedAnswer).where(col(RenderedAnswer.path) == path).values(body=TAMPERED))
        writer.commit()


@pytest.mark.parametrize("part", ["comments", "related", "author's articles", "search"])
def test_the_computed_parts_of_a_page_are_stored_and_end_with_the_writes_that_change_them(
    part, uncached, session, editor, api_key
):
    author = make_author(session)
    lead = make_article(session, title="Harbour reopens after the storm", tags=["harbour"], authors=[author.slug])
    other = make_article(session, title="Harbour storm damage counted", tags=["harbour"])
    unrelated = make_article(session, title="Council budget", section=make_section(session).slug)
    moderator = api_key("comments:moderate")
    session.commit()  # the keys took SQLite's write lock
    path = {
        "comments": f"/api/v1/articles/{lead.slug}/comments?limit=5",
        "related": f"/api/v1/articles/{lead.slug}/related?limit=1",
        "author's articles": f"/api/v1/authors/{author.slug}/articles",
        "search": "/api/v1/articles?q=harbour",
    }[part]
    first = uncached.get(path)
    assert first.status_code == 200 and _stored_paths(session) == {path}
    _tamper_path(session, path)
    assert uncached.get(path).content == TAMPERED
    # A write to an article it does not show, that changes no list, leaves it stored.
    assert (
        uncached.patch(f"/api/v1/articles/{unrelated.slug}", json={"excerpt": "Later."}, headers=editor).status_code
        == 200
    )
    assert uncached.get(path).content == TAMPERED
    if part == "comments":
        approve(uncached, moderator, reply(uncached, lead.slug).json()["id"])
        assert len(uncached.get(path).json()["data"]) == 1
    elif part == "related":
        renamed = uncached.patch(f"/api/v1/articles/{other.slug}", json={"title": "Storm toll"}, headers=editor)
        assert renamed.status_code == 200
        assert [item["title"] for item in uncached.get(path).json()["data"]] == ["Storm toll"]
    elif part == "author's articles":
        answer = uncached.patch(f"/api/v1/articles/{lead.slug}", json={"title": "Port reopens"}, headers=editor)
        assert answer.status_code == 200
        assert [item["title"] for item in uncached.get(path).json()["data"]] == ["Port reopens"]
    else:
        retold = uncached.patch(f"/api/v1/articles/{unrelated.slug}", json={"title": "Harbour budget"}, headers=editor)
        assert retold.status_code == 200
        assert {item["title"] for item in uncached.get(path).json()["data"]} >= {"Harbour budget"}
    assert uncached.get(path).content != TAMPERED


@pytest.mark.parametrize("kind", ["section", "tag", "author"])
def test_a_first_page_of_a_section_tag_or_author_is_stored_until_a_write_changes_it(kind, uncached, session, editor):
    section, author = make_section(session), make_author(session)
    make_article(session, title="Harbour reopens", tags=["harbour"], section=section.slug, authors=[author.slug])
    elsewhere = make_article(session, title="Council budget")
    session.commit()
    given = {"section": section.slug, "tag": "harbour", "author": author.slug}[kind]
    path = f"/api/v1/articles?{kind}={given}"
    for other_spelling in (f"{path}&fields=slug", f"/api/v1/articles?limit=5&{kind}={given}"):
        assert uncached.get(other_spelling).status_code == 200
    assert uncached.get(path).status_code == 200 and _stored_paths(session) == {path}
    _tamper_path(session, path)
    assert uncached.get(path).content == TAMPERED
    # An edit of an article it does not show, that changes no list, leaves it stored.
    edit = uncached.patch(f"/api/v1/articles/{elsewhere.slug}", json={"excerpt": "Later."}, headers=editor)
    assert edit.status_code == 200 and uncached.get(path).content == TAMPERED
    joining = {"section": {"section": given}, "tag": {"tags": [given]}, "author": {"authors": [given]}}[kind]
    assert uncached.patch(f"/api/v1/articles/{elsewhere.slug}", json=joining, headers=editor).status_code == 200
    assert {item["title"] for item in uncached.get(path).json()["data"]} == {"Harbour reopens", "Council budget"}


def test_search_results_are_stored_for_so_many_queries_and_in_one_spelling(uncached, session, monkeypatch):
    make_article(session, title="Harbour reopens after the storm")
    monkeypatch.setattr(stored_answers, "VARIED_ANSWERS_KEPT", 2)
    spellings = ("q=harbour&sort=newest&limit=5", "limit=5&q=harbour", "sort=newest&q=harbour", "q=harbour&q=storm")
    for query in (*spellings, "q=harbour&fields=slug"):
        assert uncached.get(f"/api/v1/articles?{query}").status_code == 200
    first = "/api/v1/articles?q=harbour&sort=newest&limit=5"
    assert _stored_paths(session) == {first}
    for words in ("storm", "reopens", "harbour%20storm"):
        assert uncached.get(f"/api/v1/articles?q={words}").json()["meta"]["total"] == 1
    assert _stored_paths(session) == {first, "/api/v1/articles?q=storm"}


def test_reads_arriving_together_each_get_their_own_stored_answer(uncached, session):
    """On PostgreSQL their lookups go to the database together; one reader going away takes no other
    reader's answer with it."""
    slugs = [make_article(session, title=f"Harbour story {n}").slug for n in range(6)]
    for slug in slugs:
        assert uncached.get(_path(slug)).status_code == 200
    with Session(session.get_bind()) as writer:
        for n, slug in enumerate(slugs):
            writer.execute(
                update(RenderedAnswer).where(col(RenderedAnswer.path) == _path(slug)).values(body=b'{"stored": %d}' % n)
            )
        writer.commit()

    async def all_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=uncached.app), base_url="http://testserver"
        ) as client:
            reads = [asyncio.ensure_future(client.get(_path(slug))) for slug in slugs * 2]
            gone = asyncio.ensure_future(client.get(_path(slugs[0])))
            await asyncio.sleep(0)
            gone.cancel()
            return await asyncio.gather(*reads)

    answers = uncached.portal.call(all_at_once)
    assert [answer.json() for answer in answers] == [{"stored": n} for n in range(6)] * 2
