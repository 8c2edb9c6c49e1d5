"""Who is calling: an API key or a signed-in person, seen by routes through one shape."""

from dataclasses import dataclass, replace

from app.auth.models import ApiKey, User
from app.auth.roles import PUBLISHING_ROLES, ROLE_SCOPES, SECTION_BOUND_ROLES, Role
from app.auth.scopes import Scope
from app.core.acting import Actor, ActorKind


@dataclass(frozen=True)
class Caller:
    # Revisions record it as who made a change: a key's name or a person's email.
    name: str
    scopes: frozenset[str]
    # Section slugs the caller may write in; None for every section.
    sections: frozenset[str] | None = None
    may_publish: bool = True
    key_id: int | None = None
    user_id: int | None = None
    # The browser session the caller signed in with, when it came with a cookie.
    session_id: int | None = None
    # A person whose role needs a second factor they have not enrolled: they may only enrol.
    enrolment_due: bool = False

    def grants(self, scope: Scope) -> bool:
        return Scope.admin in self.scopes or scope in self.scopes

    def may_write_in(self, section: str | None) -> bool:
        return self.sections is None or section in self.sections

    def actor(self) -> Actor:
        """Who the audit log and revisions name: the key when one was used, else the person."""
        if self.key_id is not None:
            return Actor(ActorKind.key, self.key_id, self.name, user_id=self.user_id)
        return Actor(ActorKind.user, self.user_id, self.name, user_id=self.user_id)


def key_caller(key: ApiKey, owner: User | None = None) -> Caller:
    """A service account's key holds its scopes; a person's key no more than their role allows."""
    if owner is None:
        return Caller(name=key.name, scopes=frozenset(key.scopes), key_id=key.id)
    person = user_caller(owner, session_id=None)
    scopes = frozenset(key.scopes)
    return replace(
        person, name=key.name, scopes=scopes if person.grants(Scope.admin) else scopes & person.scopes, key_id=key.id
    )


def user_caller(user: User, *, session_id: int | None, enrolment_due: bool = False) -> Caller:
    role = Role(user.role)
    return Caller(
        name=user.email,
        scopes=frozenset(ROLE_SCOPES[role]),
        sections=frozenset(user.sections) if role in SECTION_BOUND_ROLES and user.sections else None,
        may_publish=role in PUBLISHING_ROLES,
        user_id=user.id,
        session_id=session_id,
        enrolment_due=enrolment_due,
    )
