"""Who shows a picture: the articles domain, above this one, answers through this protocol
(app.wiring subscribes it), so the library never imports what uses it."""

from datetime import datetime
from typing import Protocol

from sqlmodel import Session


class MediaUsers(Protocol):
    def using(self, session: Session, media_id: int) -> list[str]:
        """Slugs of the articles that show the picture, any status."""

    def changed(self, session: Session, media_id: int, *, now: datetime) -> None:
        """The picture's words, focal point or files changed: what shows it must show the change.
        Called in the writing transaction, before it commits."""


class NotWired(RuntimeError):
    """Media changed before any entry point told the library who shows it."""


_users: tuple[MediaUsers, ...] = ()


def subscribe(*users: MediaUsers) -> None:
    global _users
    _users = users


def _wired() -> tuple[MediaUsers, ...]:
    if not _users:
        raise NotWired("call app.wiring.install_write_hooks() before changing media")
    return _users


def using(session: Session, media_id: int) -> list[str]:
    return sorted({slug for users in _wired() for slug in users.using(session, media_id)})


def changed(session: Session, media_id: int, *, now: datetime) -> None:
    for users in _wired():
        users.changed(session, media_id, now=now)
