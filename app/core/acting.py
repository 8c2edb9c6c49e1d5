"""Who is acting in the current request or command, and the request's id: set where they become
known (the access log, the caller's credentials), read where a write records them (the audit log,
article revisions). Context variables, so each request's task and the threads it hands work to see
their own."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ActorKind(StrEnum):
    user = "user"
    key = "key"
    # A `byline` command run on the server.
    system = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None
    name: str
    # The person behind the act: the signed-in user, or the owner of the key used.
    user_id: int | None = None


@dataclass(frozen=True)
class Acting:
    actor: Actor
    clock: Callable[[], datetime]


_acting: ContextVar[Acting | None] = ContextVar("byline_acting", default=None)
_request_id: ContextVar[str | None] = ContextVar("byline_request_id", default=None)


def act_as(actor: Actor, clock: Callable[[], datetime]) -> None:
    """For the rest of this request's task (and the threads it starts)."""
    _acting.set(Acting(actor, clock))


@contextmanager
def acting_as(actor: Actor, clock: Callable[[], datetime]) -> Iterator[None]:
    token = _acting.set(Acting(actor, clock))
    try:
        yield
    finally:
        _acting.reset(token)


def acting() -> Acting | None:
    return _acting.get()


def set_request_id(request_id: str) -> None:
    _request_id.set(request_id)


def request_id() -> str | None:
    return _request_id.get()


def acting_user_id() -> int | None:
    """The person behind what is being written, for rows that name who made them (revisions)."""
    now = _acting.get()
    return None if now is None else now.actor.user_id
