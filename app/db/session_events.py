"""Listeners on every ORM session: installed by each entry point that writes (the app factory, the
`byline` commands, the tests), never by importing a module, so installing twice must change nothing."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlmodel import Session


def listen_once(identifier: str, listener: Callable[..., Any]) -> None:
    if not event.contains(Session, identifier, listener):
        event.listen(Session, identifier, listener)
