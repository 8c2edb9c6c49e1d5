"""What the audit log records of sign-ins and sign-outs, invitations, resets and second factors: acts
no table change tells (a sign-in by someone not yet known to be anyone). The audit domain reads this
domain's dependencies, so its recorder is handed in by app.wiring rather than imported."""

from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from app.auth.models import User
from app.core.acting import Actor, ActorKind


class Recorder(Protocol):
    def __call__(
        self, session: Session, actor: Actor, action: str, *, kind: str, target_id: int | None, label: str, at: datetime
    ) -> None: ...


_recorders: list[Recorder] = []


def install(recorder: Recorder) -> None:
    """The same recorder for every entry point, so installing again changes nothing."""
    _recorders[:] = [recorder]


def person(user: User) -> Actor:
    return Actor(ActorKind.user, user.id, user.email, user_id=user.id)


# Whoever signs in with an email no account has, or a wrong password: nobody is known yet.
SOMEONE = Actor(ActorKind.user, None, "anonymous")


def note(
    session: Session,
    action: str,
    user: User | None,
    *,
    at: datetime,
    actor: Actor | None = None,
    how: str | None = None,
) -> None:
    """An entry `user.<action>` about `user` (by them, unless `actor` says otherwise), in the session's
    transaction, labelled with their email and `how` it was done when that says more (single sign-on).
    An email no account has is never recorded: people type passwords into email fields."""
    for record in _recorders:
        record(
            session,
            actor or (person(user) if user else SOMEONE),
            f"user.{action}",
            kind="user",
            target_id=user.id if user else None,
            label=(f"{user.email} ({how})" if how else user.email) if user else "an unknown email",
            at=at,
        )
