"""Bulk upsert of ingest records, a chunk per transaction: a crash loses at most the chunk in flight,
never half an article, and running the same import again finishes it."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from app.articles.visibility import Reader
from app.core.errors import Conflict, InvalidField, ProblemError, UnstorableValue
from app.ingest import pins
from app.ingest.articles import Chunk, Status, key_of, store_chunk
from app.ingest.schemas import IngestRecord

CHUNK_SIZE = 500
OnError = Literal["skip", "abort"]


@dataclass
class Received:
    """One record as read: its place in the input (line or index), and the record or why it could not be read."""

    position: int | str
    record: dict[str, Any] | None
    error: str | None = None


@dataclass
class Outcome:
    position: int | str
    status: Status
    slug: str | None = None
    external_id: str | None = None
    error: dict[str, Any] | None = None
    # Set when this outcome replaces an earlier one of the same record (its related pins came last).
    was: Status | None = None


def problem_document(problem: ProblemError, base_url: str) -> dict[str, Any]:
    """The RFC 9457 document the API would answer with for this problem."""
    kind = type(problem)
    document: dict[str, Any] = {
        "type": "about:blank" if kind.type_slug == "about:blank" else f"{base_url}/problems/{kind.type_slug}",
        "title": kind.title,
        "status": kind.status,
    }
    if problem.detail:
        document["detail"] = problem.detail
    return document | problem.extensions


def _invalid(error: ValidationError) -> InvalidField:
    errors = [{"detail": e["msg"], "pointer": "#/" + "/".join(str(part) for part in e["loc"])} for e in error.errors()]
    problem = InvalidField(errors[0]["pointer"], "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors))
    problem.extensions["errors"] = errors
    return problem


def _nul_at(value: Any, pointer: str = "#") -> str | None:
    """Where the record holds a NUL character, which PostgreSQL cannot store in text (nor is one ever meant)."""
    if isinstance(value, str):
        return pointer if "\x00" in value else None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    return next((found for key, part in items if (found := _nul_at(part, f"{pointer}/{key}")) is not None), None)


def _validated(item: Received) -> IngestRecord | ProblemError:
    if item.record is None:
        return InvalidField("#", item.error or "The record could not be read.")
    # Refused alike on every database, before a bulk statement could fail for the whole chunk.
    nul = _nul_at(item.record)
    if nul is not None:
        return InvalidField(nul, "Text cannot contain NUL characters.")
    try:
        return IngestRecord.model_validate(item.record)
    except ValidationError as invalid:
        return _invalid(invalid)


class Ingest:
    """One import: records in, outcomes out, in input order as each chunk commits."""

    def __init__(
        self,
        session: Session,
        *,
        now: datetime,
        actor: str,
        reader: Reader,
        base_url: str,
        on_error: OnError = "skip",
        dry_run: bool = False,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.session = session
        self.now = now
        self.actor = actor
        self.reader = reader
        self.base_url = base_url
        self.on_error = on_error
        self.dry_run = dry_run
        self.chunk_size = chunk_size
        # All or nothing, or nothing at all: the whole import is one transaction.
        self.single_transaction = on_error == "abort" or dry_run
        self.failed = 0
        self._pins: list[pins.PendingPins] = []
        self._outcomes: dict[int | str, Outcome] = {}

    def run(self, received: Iterable[Received]) -> Iterator[Outcome]:
        entries: list[tuple[Received, IngestRecord | ProblemError]] = []
        keys: set[str] = set()
        valid = 0
        for item in received:
            record = _validated(item)
            if isinstance(record, IngestRecord):
                key = key_of(record)
                # The same article twice: the first occurrence lands before the second applies.
                if key in keys or valid >= self.chunk_size:
                    yield from self._store(entries)
                    entries, keys, valid = [], set(), 0
                keys.add(key)
                valid += 1
            entries.append((item, record))
        yield from self._store(entries)
        yield from self._set_pins()
        if self.single_transaction:
            if self.dry_run or self.failed:
                self.session.rollback()
            else:
                self.session.commit()

    def _outcome(self, item: Received, record: IngestRecord | None, status: Status, **extra: Any) -> Outcome:
        outcome = Outcome(item.position, status, external_id=record.external_id if record else None, **extra)
        if status == "failed":
            self.failed += 1
        return outcome

    def _failure(self, item: Received, record: IngestRecord | None, problem: ProblemError) -> Outcome:
        slug = record.slug if record else None
        return self._outcome(item, record, "failed", slug=slug, error=problem_document(problem, self.base_url))

    def _store(self, entries: list[tuple[Received, IngestRecord | ProblemError]]) -> Iterator[Outcome]:
        good = [(item, record) for item, record in entries if isinstance(record, IngestRecord)]
        stored: dict[int, Outcome] = {}
        if good:
            try:
                stored = self._store_chunk(good)
            except (IntegrityError, DataError) as refused:
                self.session.rollback()
                if self.single_transaction:
                    problem = _database_problem(refused)
                    stored = {id(item): self._failure(item, record, problem) for item, record in good}
                else:
                    # One record at a time now, to tell the one the database refuses from the rest.
                    stored = {}
                    for item, alone in good:
                        try:
                            stored |= self._store_chunk([(item, alone)])
                        except (IntegrityError, DataError) as refused_alone:
                            self.session.rollback()
                            stored[id(item)] = self._failure(item, alone, _database_problem(refused_alone))
        for item, record in entries:
            if isinstance(record, ProblemError):
                yield self._failure(item, None, record)
            else:
                yield stored[id(item)]

    def _store_chunk(self, good: list[tuple[Received, IngestRecord]]) -> dict[int, Outcome]:
        chunk = Chunk([record for _, record in good], now=self.now, actor=self.actor, reader=self.reader)
        store_chunk(self.session, chunk)
        if not self.single_transaction:
            self.session.commit()
        outcomes = {}
        for (item, record), result in zip(good, chunk.results, strict=True):
            if isinstance(result.error, ProblemError):
                outcomes[id(item)] = self._failure(item, record, result.error)
                continue
            outcome = self._outcome(item, record, result.status, slug=result.slug)
            outcomes[id(item)] = outcome
            # A created article without pins has none to set; a stored one may have some to drop.
            if result.article_id is not None and (record.related or result.status != "created"):
                self._pins.append(pins.PendingPins(item.position, result.article_id, record.related))
                self._outcomes[item.position] = outcome
        return outcomes

    def _set_pins(self) -> Iterator[Outcome]:
        for start in range(0, len(self._pins), self.chunk_size):
            answers = pins.set_pins(
                self.session, self._pins[start : start + self.chunk_size], now=self.now, reader=self.reader
            )
            if not self.single_transaction:
                self.session.commit()
            for position, problem in answers.items():
                earlier = self._outcomes[position]
                if problem is not None:
                    self.failed += 1
                    error = problem_document(problem, self.base_url)
                    yield Outcome(position, "failed", earlier.slug, earlier.external_id, error, was=earlier.status)
                elif earlier.status == "unchanged":
                    yield Outcome(position, "updated", earlier.slug, earlier.external_id, was="unchanged")
        self._pins.clear()
        self._outcomes.clear()


def _database_problem(refused: IntegrityError | DataError) -> ProblemError:
    if isinstance(refused, IntegrityError):
        return Conflict("The record conflicts with one stored at the same moment; sending it again is safe.")
    return UnstorableValue("A value of the record cannot be stored, such as text containing NUL characters.")
