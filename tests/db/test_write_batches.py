"""Writes of many requests stored in one transaction: each answered only once committed, a failing
one undone alone, and everything waiting taken together."""

import asyncio
import threading

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from app.caching import content_version
from app.db.engines import build_engine
from app.db.write_batches import WriteBatches


def stored(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT term FROM term_document_count ORDER BY term")).scalars())


def current_version(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version FROM content_version WHERE id = 1")).scalar_one()


def insert(name: str):
    def work(session: Session) -> str:
        session.execute(text("INSERT INTO term_document_count (term, documents) VALUES (:name, 1)"), {"name": name})
        return name

    return work


def refused_after_writing(session: Session) -> None:
    session.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('half-written', 1)"))
    content_version.bump(session, "article:half-written")
    raise ValueError("refused")


@pytest.fixture
def batches(engine):
    writes = WriteBatches(engine)
    yield writes
    writes.close()


async def run_all(batches: WriteBatches, works) -> list[object]:
    return await asyncio.gather(*(batches.run(work) for work in works), return_exceptions=True)


def test_each_write_is_answered_with_what_it_returned_once_committed(batches, engine):
    answers = asyncio.run(run_all(batches, [insert(f"term-{n}") for n in range(20)]))
    assert answers == [f"term-{n}" for n in range(20)]
    assert stored(engine) == sorted(f"term-{n}" for n in range(20))


def test_a_failing_write_is_undone_alone_and_answered_with_its_error(batches, engine):
    works = [insert("before"), refused_after_writing, insert("after")]
    before, refused, after = asyncio.run(run_all(batches, works))
    assert (before, after) == ("before", "after")
    assert isinstance(refused, ValueError)
    assert stored(engine) == ["after", "before"]


def test_what_a_failing_write_noted_for_the_commit_is_forgotten(batches, engine):
    """Its version bump went with its savepoint: a later write of the batch that changes content bumps again."""

    def bumping(session: Session) -> int:
        return content_version.bump(session, "article:kept")

    version = current_version(engine)
    refused, bumped = asyncio.run(run_all(batches, [refused_after_writing, bumping]))
    assert isinstance(refused, ValueError) and bumped == version + 1
    assert current_version(engine) == version + 1


def test_a_write_that_came_alone_takes_no_savepoint_and_leaves_nothing_when_it_fails(batches, engine):
    savepoints: list[str] = []
    event.listen(engine, "savepoint", lambda connection, name: savepoints.append(name))
    version = current_version(engine)
    (refused,) = asyncio.run(run_all(batches, [refused_after_writing]))
    (kept,) = asyncio.run(run_all(batches, [insert("kept")]))
    assert isinstance(refused, ValueError) and kept == "kept"
    assert stored(engine) == ["kept"]
    assert current_version(engine) == version, "its version bump went with it"
    assert savepoints == []


@pytest.fixture
def commits(engine) -> list[int]:
    counted: list[int] = []
    event.listen(engine, "commit", lambda connection: counted.append(1))
    return counted


def held_until(release: threading.Event, name: str):
    """A write that takes its time (until `release`), its batch's transaction open meanwhile."""

    def work(session: Session) -> str:
        release.wait(5)
        return insert(name)(session)

    return work


def test_writes_waiting_together_share_one_transaction(batches, engine, commits):
    release = threading.Event()

    async def burst() -> list[object]:
        first = asyncio.ensure_future(batches.run(held_until(release, "first")))
        await asyncio.sleep(0.2)  # the writer is now inside the first batch
        rest = [asyncio.ensure_future(batches.run(insert(f"waiting-{n}"))) for n in range(10)]
        await asyncio.sleep(0.2)
        release.set()
        return await asyncio.gather(first, *rest)

    assert len(asyncio.run(burst())) == 11
    assert len(stored(engine)) == 11
    # One commit for the first batch, one for the ten that queued behind it.
    assert len(commits) == 2


def test_writes_that_queue_while_another_worker_holds_the_turn_share_the_next_transaction(batches, engine, commits):
    sibling = WriteBatches(engine)  # another worker's writer, in its turn
    release = threading.Event()

    async def burst() -> list[object]:
        theirs = asyncio.ensure_future(sibling.run(held_until(release, "sibling")))
        await asyncio.sleep(0.2)
        first = asyncio.ensure_future(batches.run(insert("first")))
        await asyncio.sleep(0.2)  # this writer now waits for its turn with the first write alone
        rest = [asyncio.ensure_future(batches.run(insert(f"waiting-{n}"))) for n in range(10)]
        await asyncio.sleep(0.2)
        release.set()
        return await asyncio.gather(theirs, first, *rest)

    try:
        assert len(asyncio.run(burst())) == 12
    finally:
        sibling.close()
    assert len(stored(engine)) == 12
    # The sibling's commit, then one for the first write and the ten that queued while it waited.
    assert len(commits) == 2


def test_a_write_the_database_refuses_is_undone_alone(batches, engine):
    def duplicate_key(session: Session) -> str:
        session.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('twice', 1)"))
        session.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('twice', 1)"))
        return "unreachable"

    refused, good = asyncio.run(run_all(batches, [duplicate_key, insert("good")]))
    # The duplicate key fails its own write, with its first row; the rest commit.
    assert isinstance(refused, Exception) and good == "good"
    assert stored(engine) == ["good"]


def test_two_processes_batches_taking_the_same_rows_in_opposite_orders_both_commit(engine, database_url):
    """Each server process writes its own batches; on PostgreSQL two batches locking the same rows
    in opposite orders would deadlock, and one of them, every comment in it, would fail."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('x', 0), ('y', 0)"))
    other_process = build_engine(database_url)
    first, second = WriteBatches(engine), WriteBatches(other_process)
    first_holds_x, second_holds_y = threading.Event(), threading.Event()

    def count(first_term: str, holding: threading.Event, other_holding: threading.Event, then: str):
        def work(session: Session) -> str:
            for term in (first_term, then):
                session.execute(
                    text("UPDATE term_document_count SET documents = documents + 1 WHERE term = :term"), {"term": term}
                )
                if term == first_term:
                    holding.set()
                    other_holding.wait(timeout=1)
            return first_term

        return work

    async def both() -> list[object]:
        return await asyncio.gather(
            first.run(count("x", first_holds_x, second_holds_y, then="y")),
            second.run(count("y", second_holds_y, first_holds_x, then="x")),
            return_exceptions=True,
        )

    try:
        assert asyncio.run(both()) == ["x", "y"]
    finally:
        first.close()
        second.close()
        other_process.dispose()
    with engine.connect() as connection:
        counted = dict(connection.execute(text("SELECT term, documents FROM term_document_count")).all())
    assert counted == {"x": 2, "y": 2}


def test_pieces_of_one_kind_are_stored_together_and_alone_when_the_database_refuses_one(batches, engine):
    handed: list[list[str]] = []

    def store_terms(session: Session, names: list[str]) -> list[str]:
        handed.append(names)
        for name in names:
            session.execute(text("INSERT INTO term_document_count (term, documents) VALUES (:name, 1)"), {"name": name})
        return names

    release = threading.Event()

    def held(_session: Session) -> None:
        release.wait(5)

    async def burst() -> list[object]:
        first = asyncio.ensure_future(batches.run(held))
        await asyncio.sleep(0.2)  # the writer is now inside the first batch
        rest = [asyncio.ensure_future(batches.run_together(store_terms, name)) for name in ("a", "b", "a")]
        await asyncio.sleep(0.2)
        release.set()
        await first
        return await asyncio.gather(*rest, return_exceptions=True)

    first_a, b, second_a = asyncio.run(burst())
    # Together, the second "a" broke the unique key; alone, only it fails.
    assert handed == [["a", "b", "a"], ["a"], ["b"], ["a"]]
    assert (first_a, b) == ("a", "b") and isinstance(second_a, Exception)
    assert stored(engine) == ["a", "b"]
