"""Releases: content that readers start to see by itself at a stored moment (an article going live
at its publication time, an embargo lifting, a collection's scheduled order), with no write to bump
the content version. Caches end their entries at the next release; each domain that has such
moments describes them here once and the app factory hands the sum of those descriptions to the caches."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, bindparam, func, select
from sqlalchemy.orm import Mapped

Moment = ColumnElement[datetime | None] | Mapped[datetime | None]
# The time a statement built once is run at, bound as {"now": ...}: a statement built anew for each
# read (three kinds of moment, six subqueries) took most of the CPU of reading the state.
NOW: BindParameter[datetime] = bindparam("now")


@dataclass(frozen=True)
class Releases:
    # Each kind of moment with the rows whose moments count (published articles, not drafts).
    kinds: tuple[tuple[ColumnElement[bool], Moment], ...]

    @classmethod
    def of(cls, rows: ColumnElement[bool], *moments: Moment) -> "Releases":
        return cls(tuple((rows, moment) for moment in moments))

    def __add__(self, other: "Releases") -> "Releases":
        return Releases(self.kinds + other.kinds)

    @property
    def moments(self) -> tuple[Moment, ...]:
        return tuple(moment for _, moment in self.kinds)

    def last(self, now: datetime | BindParameter[datetime]) -> list[ScalarSelect[datetime | None]]:
        """The latest moment of each kind that has come by `now`."""
        return [select(func.max(moment)).where(rows, moment <= now).scalar_subquery() for rows, moment in self.kinds]

    def next(self, now: datetime | BindParameter[datetime]) -> list[ScalarSelect[datetime | None]]:
        """The first moment of each kind still to come after `now`."""
        return [select(func.min(moment)).where(rows, moment > now).scalar_subquery() for rows, moment in self.kinds]
