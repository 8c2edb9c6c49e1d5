"""Releases: content that readers start to see by itself at a stored moment (an article going live
at its publication time, an embargo lifting), with no write to bump the content version. Caches end
their entries at the next release; the domain that has such moments describes them here once and
the app factory hands that description to the caches."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Mapped


@dataclass(frozen=True)
class Releases:
    # The rows whose moments count (published articles, not drafts).
    rows: ColumnElement[bool]
    # Each a column of moments when one of those rows shows.
    moments: tuple[ColumnElement[datetime | None] | Mapped[datetime | None], ...]

    def last(self, now: datetime) -> list[ScalarSelect[datetime | None]]:
        """The latest moment of each kind that has come by `now`."""
        return [select(func.max(moment)).where(self.rows, moment <= now).scalar_subquery() for moment in self.moments]

    def next(self, now: datetime) -> list[ScalarSelect[datetime | None]]:
        """The first moment of each kind still to come after `now`."""
        return [select(func.min(moment)).where(self.rows, moment > now).scalar_subquery() for moment in self.moments]
