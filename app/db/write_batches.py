"""Writes from many requests stored together: one transaction, and on SQLite one turn at the write
lock, for every piece of work that is waiting.

Comments come in bursts, each a handful of small statements. Run one transaction per request, the
write lock passed from request thread to request thread, and each of those threads waiting for the
interpreter's lock at every statement: about 580 comments a second on two workers, with the CPU
half idle. One thread per process instead takes whatever has queued up while it last wrote, runs
each piece in a savepoint of one transaction, so that a piece that fails is undone alone (a piece
that came alone needs none), commits once, and only then answers each piece: whatever is
acknowledged is committed. The batch is taken once the turn is granted, so what queued while
another worker held the turn comes along (comment submission on two workers: about 800 a second
on PostgreSQL with the batch taken before the wait, about 1,000 to 1,200 after).

Pieces of one kind are stored together (`run_together`): their store gets every one that waited and
asks the database once for all of them. A statement is a round trip, about 0.2 ms of the worker's
CPU and 0.4 ms of waiting on PostgreSQL; a comment asked nine of them, in the turn every worker
waits for, which held PostgreSQL to about 200 comments a second.
"""

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from app.db.engines import write_turn

T = TypeVar("T")
Item = TypeVar("Item")
Stored = TypeVar("Stored")
# Enough to take a burst in one transaction; few enough that the write lock passes on often.
MAX_BATCH = 64


@dataclass
class _Work:
    store: Callable[[Session, list[Any]], list[Any]]
    item: Any
    done: Future[Any]


def _alone(work: Callable[[Session], T]) -> Callable[[Session, list[None]], list[T]]:
    # A store of its own, so that it is never taken with other pieces.
    return lambda session, _items: [work(session)]


class WriteBatches:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._waiting: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    async def run(self, work: Callable[[Session], T]) -> T:
        """What `work` returns once the transaction it ran in has committed; what it raises, with
        nothing it wrote kept. It must not commit or roll back itself."""
        return await self.run_together(_alone(work), None)

    async def run_together(
        self, store: Callable[[Session, list[Item]], list[Stored | Exception]], item: Item
    ) -> Stored:
        """What `store` made of `item` once committed. Every item waiting for the same `store` is
        handed to it in one call, in the order they came, in one savepoint; it answers each in turn,
        with an exception for an item it refused, which must have written nothing. If it raises,
        each item is stored again alone, so only the one the database refused fails."""
        done: Future[Stored] = Future()
        self._start()
        self._waiting.put(_Work(store, item, done))
        return await asyncio.wrap_future(done)

    def close(self) -> None:
        """Finish what is queued, then stop."""
        with self._starting:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._waiting.put(None)
            thread.join()

    def _start(self) -> None:
        # Started by the first write: an app that is only read never runs the thread.
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="byline-write-batches", daemon=True)
                self._thread.start()

    def _write(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            self._store(first)

    def _store(self, first: _Work) -> None:
        batch = [first]
        answers: list[Callable[[], None]] = []
        try:
            with Session(self._engine, expire_on_commit=False) as session, write_turn(session):
                # What queued up while the turn was awaited comes along: the longer another worker
                # held it, the more this one stores in its own.
                batch += self._queued(MAX_BATCH - 1)
                # A request cancelled while its work waited needs no answer.
                kinds: dict[Callable[[Session, list[Any]], list[Any]], list[_Work]] = {}
                for work in batch:
                    if work.done.set_running_or_notify_cancel():
                        kinds.setdefault(work.store, []).append(work)
                if len(batch) == 1 and kinds:
                    # Nothing else in the transaction to keep: no savepoint, and a failure ends it all.
                    (only,) = batch
                    (outcome,) = only.store(session, [only.item])
                    answers.append(_answer(only, outcome))
                else:
                    for together in kinds.values():
                        answers += _stored(session, together)
                session.commit()
        except Exception as failed:  # nothing was stored; each request reports it as it would its own
            for work in batch:
                if not work.done.done():
                    work.done.set_exception(failed)
            return
        for answer in answers:
            answer()

    def _queued(self, most: int) -> list[_Work]:
        taken: list[_Work] = []
        while len(taken) < most:
            try:
                more = self._waiting.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._waiting.put(None)  # stop after this batch
                break
            taken.append(more)
        return taken


def _stored(session: Session, together: list[_Work]) -> list[Callable[[], None]]:
    """The answers to pieces of one kind, stored in one savepoint."""
    noted = _copy(session.info)
    try:
        with session.begin_nested():
            outcomes = together[0].store(session, [work.item for work in together])
    except Exception as refused:  # answered to the request that sent the work
        # Undone without a trace: what it noted for the commit (purges, a version bump) too.
        session.info.clear()
        session.info.update(noted)
        if len(together) > 1:
            return [answer for work in together for answer in _stored(session, [work])]
        return [partial(together[0].done.set_exception, refused)]
    return [_answer(work, outcome) for work, outcome in zip(together, outcomes, strict=True)]


def _answer(work: _Work, outcome: Any) -> Callable[[], None]:
    """Given once the transaction has committed: an exception the store answered with, or its result."""
    if isinstance(outcome, Exception):
        return partial(work.done.set_exception, outcome)
    return partial(work.done.set_result, outcome)


def _copy(info: dict[Any, Any]) -> dict[Any, Any]:
    return {key: set(value) if isinstance(value, set) else value for key, value in info.items()}
