"""The response cache ends only what a write changed: every answer names the surrogate keys of
what it shows, every write logs the keys it purged, and each worker reads that log."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlmodel import Session

from app.caching.content_version import NOTIFY_CHANNEL, ContentPurge
from app.caching.responses.announce import SLOT_KEYS, SLOTS, Announcements, install, uninstall
from app.caching.responses.purges import Built, Purges
from app.caching.responses.state import EPOCH, ContentState, LiveContent, StateQuery, open_watch
from app.db.engines import build_engine
from app.wiring import RELEASES
from tests.caching.test_http_cache import warm
from tests.conftest import BACKENDS, FrozenClock
from tests.factories.newsroom import make_article


def caught_up(client) -> None:
    """Until the worker knows what the last write purged (on PostgreSQL it is told, then reads the log)."""
    deadline = time.monotonic() + 10
    while client.get("/api/v1/authors?limit=1").headers["X-Cache"] == "BYPASS":
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _cached(client, path: str) -> bool:
    return client.get(path).headers["X-Cache"] == "HIT"


def test_a_write_ends_only_the_answers_that_show_what_it_changed(client, session, editor):
    lead, other = make_article(session, title="Harbour reopens"), make_article(session, title="Storm closes harbour")
    lead_path, other_path = f"/api/v1/articles/{lead.slug}", f"/api/v1/articles/{other.slug}"
    for path in (lead_path, other_path, f"{lead_path}/comments", "/api/v1/articles"):
        warm(client, path)
    assert client.patch(other_path, json={"title": "Storm passes"}, headers=editor).status_code == 200
    caught_up(client)

    assert _cached(client, lead_path) and _cached(client, f"{lead_path}/comments")
    changed = client.get(other_path)
    assert changed.headers["X-Cache"] == "MISS" and changed.json()["title"] == "Storm passes"
    # Every article write may change what the list holds.
    assert "Storm passes" in {item["title"] for item in client.get("/api/v1/articles").json()["data"]}


def test_an_answer_that_names_no_key_ends_with_any_write(client, session, editor):
    article = make_article(session)
    warm(client, "/api/v1")
    assert client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Later"}, headers=editor).status_code == 200
    caught_up(client)
    assert client.get("/api/v1").headers["X-Cache"] == "MISS"


def _at_version(client, clock, version: int) -> None:
    """Until the worker's content state is `version`: a read before it hears of the write may still
    be answered from the state before."""
    watch = client.app.state.byline.content_watch
    deadline = time.monotonic() + 10
    while (state := watch.current(clock.now)) is None or state.version < version:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_worker_that_cannot_read_what_changed_ends_everything(client, session, clock):
    lead_path = f"/api/v1/articles/{make_article(session).slug}"
    warm(client, lead_path)
    # A version moved with nothing in the log: pruned past what this worker read, or written by a
    # process that keeps no log.
    version = session.execute(text("UPDATE content_version SET version = version + 1 RETURNING version")).scalar()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify('byline_content', :version)"), {"version": str(version)})
    session.commit()
    _at_version(client, clock, version)
    assert client.get(lead_path).headers["X-Cache"] == "MISS"
    assert _cached(client, lead_path)


def _log(session, *purged: tuple[int, str]) -> None:
    for version, keys in purged:
        session.add(ContentPurge(version=version, keys=keys))
    session.commit()


def _state(version: int, purges: Purges) -> ContentState:
    return ContentState(version=version, last_release=EPOCH, last_modified=EPOCH, valid_until=None, purges=purges)


def _built(version: int, *keys: str) -> Built:
    return Built(version=version, last_release=EPOCH, keys=frozenset(keys) or None)


def test_what_a_read_of_the_log_learns_counts_before_its_state_is_handed_out(session):
    """The log is read on a worker thread while the event loop still hands out the older state:
    an answer that shows what the newer versions changed must end at once, not when the state moves."""
    purges = Purges()
    purges.catch_up(session, 5)
    older = _state(5, purges)
    assert older.shows(_built(5, "article:a")) and older.shows(_built(5))
    _log(session, (6, "article:a"), (7, "articles"))
    purges.catch_up(session, 7)
    assert not older.shows(_built(5, "article:a"))
    assert not older.shows(_built(5)), "an answer naming no key ends with any write"
    assert older.shows(_built(5, "article:b")) and older.shows(_built(7, "article:a"))


def test_a_heard_purge_is_never_forgotten_by_a_read_of_the_log_that_ends_before_it(session):
    purges = Purges()
    purges.catch_up(session, 5)
    purges.hear(8, ["article:a"])
    _log(session, (6, "article:a"), (7, "tag:ports"))
    purges.catch_up(session, 7)
    assert purges.heard_through() == 8
    state = _state(7, purges)
    assert not state.shows(_built(7, "article:a")), "version 8 changed it"
    assert state.shows(_built(7, "tag:ports")) and not state.shows(_built(6, "tag:ports"))


POSTGRESQL_ONLY = pytest.mark.parametrize(
    "database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True
)


@contextlib.asynccontextmanager
async def _watching(
    engine, clock, announcements: Announcements, *, read_engine=None
) -> AsyncIterator[tuple[LiveContent, ContentState]]:
    """A worker's view of the content, once it has read the state, and that state."""
    watch = open_watch(read_engine or engine, engine, clock, announcements, RELEASES)
    await watch.started(seconds=5)
    content = LiveContent(clock)
    content.watch(watch)
    try:
        before = content.current()
        assert before is not None
        yield content, before
    finally:
        await watch.close()


@POSTGRESQL_ONLY
def test_a_sibling_workers_write_is_waited_for_briefly_not_answered_uncached(engine, session, clock):
    """A sibling's commit is known first by its version (shared memory), then by what it purged
    (NOTIFY): in between, a read waits for the notification rather than building its answer, and
    is never told a state that hides what the write changed."""

    async def reads() -> tuple[int, ContentState | None, ContentState | None, float]:
        announcements = Announcements(None)
        async with _watching(engine, clock, announcements) as (content, before):
            # The sibling committed the next version; this worker has not heard what it purged.
            announcements.publish(str(engine.url), before.version + 1)
            assert content.current() is None
            unheard = await content.caught_up(seconds=0.1)
            began = time.monotonic()

            async def notify_later() -> None:
                await asyncio.sleep(0.05)
                with Session(engine) as writer:
                    writer.execute(select(func.pg_notify(NOTIFY_CHANNEL, f"{before.version + 1}:article:a")))
                    writer.commit()

            told = asyncio.create_task(notify_later())
            heard = await content.caught_up(seconds=5)
            waited = time.monotonic() - began
            await told
            return before.version, unheard, heard, waited

    version, unheard, heard, waited = asyncio.run(reads())
    assert unheard is None, "nothing said what the write changed"
    assert heard is not None and 0.04 < waited < 2
    assert not heard.shows(_built(version, "article:a")), "the sibling's write changed it"
    assert heard.shows(_built(version, "article:b"))


@POSTGRESQL_ONLY
def test_a_sibling_workers_write_is_known_with_what_it_purged_at_once(engine, session, clock, tmp_path):
    """The workers of one server share what each write purged with its version: a sibling's next
    read needs no notification to know which answers still hold."""
    shared = str(tmp_path / "content-version")

    async def reads() -> tuple[int, ContentState | None]:
        async with _watching(engine, clock, Announcements(shared)) as (content, before):
            # Another worker's map of the same file, as it commits the next version.
            Announcements(shared).publish(str(engine.url), before.version + 1, "article:a comments:a")
            return before.version, content.current()

    version, told = asyncio.run(reads())
    assert told is not None, "the keys came with the version"
    assert not told.shows(_built(version, "article:a")) and not told.shows(_built(version, "comments:a"))
    assert told.shows(_built(version, "article:b"))


def test_the_keys_of_a_version_are_shared_until_a_later_version_takes_their_slot(tmp_path):
    path, database = str(tmp_path / "content-version"), "postgresql://db/byline"
    writer, reader = Announcements(path), Announcements(path)
    writer.publish(database, 7, "article:a tag:ports")
    writer.publish(database, 8)  # the keys did not come with it
    writer.publish(database, 9, "x" * (SLOT_KEYS + 1))
    assert reader.latest(database) == 9
    assert reader.purged(database, 7) == "article:a tag:ports"
    assert reader.purged(database, 8) is None and reader.purged(database, 9) is None
    writer.publish(database, 7 + SLOTS, "article:b")
    assert reader.purged(database, 7) is None, "its slot holds a later version now"
    assert reader.purged(database, 7 + SLOTS) == "article:b"


def test_a_commit_shares_the_keys_its_version_purged(session):
    announcements = Announcements(None)
    install(announcements)
    try:
        make_article(session, slug="shared-keys")
        version = session.scalar(select(func.max(ContentPurge.version)))
        logged = session.get(ContentPurge, version).keys
        assert "article:shared-keys" in logged.split()
        assert announcements.purged(str(session.get_bind().engine.url), version) == logged
    finally:
        uninstall(announcements)


def test_versions_heard_with_all_they_purged_are_taken_as_read(session):
    purges = Purges()
    purges.catch_up(session, 5)
    purges.hear(6, ["article:a"])
    purges.hear(8, ["tag:ports"])
    assert not purges.settle(8), "what version 7 purged is not known"
    assert purges.settle(6) and purges.version == 6
    state = _state(6, purges)
    assert not state.shows(_built(5, "article:a")) and state.shows(_built(6, "article:a"))
    assert not state.shows(_built(6, "tag:ports")), "version 8 was heard too"


def _state_reads(engine) -> list[str]:
    """The reads of the content state `engine` runs from now on."""
    reads: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def counted(connection, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().startswith("SELECT content_version.version, content_version.changed_at"):
            reads.append(statement)

    return reads


def _scheduled(session, hours: float) -> datetime:
    """An article that goes live `hours` from now, by the wall clock its writers keep."""
    live_at = (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)
    make_article(session, published_at=live_at, now=datetime.now(UTC))
    return live_at


def _told_once(engine, clock, write, *, replica: bool = False) -> tuple[int, ContentState, int]:
    """A worker's state once it has heard of the version `write` commits, and how many times it
    read the state from the database since it started (`replica`: reading through another address
    than it writes to)."""
    watching_engine = build_engine(engine.url.render_as_string(hide_password=False))
    elsewhere = engine.url.update_query_dict({"application_name": "replica"})
    reading_engine = build_engine(elsewhere.render_as_string(hide_password=False)) if replica else watching_engine
    reads = _state_reads(reading_engine)

    async def heard() -> tuple[int, ContentState]:
        async with _watching(watching_engine, clock, Announcements(None), read_engine=reading_engine) as (content, _):
            version = await asyncio.to_thread(write)
            deadline = time.monotonic() + 10
            while (state := content.current()) is None or state.version < version:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            return version, state

    try:
        version, state = asyncio.run(heard())
    finally:
        watching_engine.dispose()
        reading_engine.dispose()
    return version, state, len(reads) - 1


@POSTGRESQL_ONLY
def test_a_commit_tells_every_worker_the_state_it_makes_without_a_read(engine, session):
    def write() -> int:
        _scheduled(session, hours=1)
        return session.scalar(select(func.max(ContentPurge.version)))

    version, state, reads = _told_once(engine, FrozenClock(datetime.now(UTC)), write)
    assert reads == 0, "the notification told the state"
    read = StateQuery(RELEASES).read(engine, datetime.now(UTC))
    assert (state.version, state.last_release, state.last_modified, state.valid_until) == (
        read.version,
        read.last_release,
        read.last_modified,
        read.valid_until,
    )
    assert not state.behind and not state.shows(_built(version - 1, "articles"))


@POSTGRESQL_ONLY
def test_a_told_state_that_ended_by_the_workers_clock_is_read_instead(engine, session):
    """A state holds from its last release to its next: a worker whose clock is past the next one
    reads the state as it stands, with the article that went live."""
    live_at: list[datetime] = []

    def write() -> int:
        live_at.append(_scheduled(session, hours=1))
        return session.scalar(select(func.max(ContentPurge.version)))

    _, state, reads = _told_once(engine, FrozenClock(datetime.now(UTC) + timedelta(hours=2)), write)
    assert reads == 1
    assert state.last_release == live_at[0]


@POSTGRESQL_ONLY
def test_a_worker_that_reads_from_a_replica_reads_the_state_the_replica_has(engine, session):
    """The replica may not have the write yet: what the notification told is no state of it."""

    def write() -> int:
        make_article(session)
        return session.scalar(select(func.max(ContentPurge.version)))

    _, state, reads = _told_once(engine, FrozenClock(datetime.now(UTC)), write, replica=True)
    assert reads >= 1 and not state.behind


@POSTGRESQL_ONLY
def test_an_unreadable_notification_leaves_the_worker_listening(engine, session, clock):
    """Anyone who may connect may notify the channel: a payload no writer sends must not end the
    worker's listening, which would leave it serving what later writes changed."""

    async def heard() -> tuple[int, ContentState]:
        async with _watching(engine, clock, Announcements(None)) as (content, before):
            with Session(engine) as stranger:
                stranger.execute(select(func.pg_notify(NOTIFY_CHANNEL, "not a version")))
                stranger.execute(select(func.pg_notify(NOTIFY_CHANNEL, f"{before.version + 1}:article:a @x,y,z")))
                stranger.commit()
            await asyncio.sleep(0.2)
            await asyncio.to_thread(make_article, session)
            deadline = time.monotonic() + 10
            while (state := content.current()) is None or state.version <= before.version:
                assert time.monotonic() < deadline, "the write was not heard"
                await asyncio.sleep(0.01)
            return before.version, state

    version, state = asyncio.run(heard())
    assert state.version > version
