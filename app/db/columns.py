"""The base every table shares, and column types that behave the same on SQLite and PostgreSQL."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, DateTime, Dialect, MetaData
from sqlalchemy import Table as CoreTable
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes; SQLite keeps no offset, so it stores naive UTC and we re-attach it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Byline stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL so documents can later be indexed and queried there.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Table(SQLModel):
    """The base of every table: one metadata, which Alembic compares against, whatever is imported first.

    Tables type their `id` as `int` with a None default: the database assigns it on flush, and code
    reads ids only of stored rows.
    """

    # Named constraints let migrations drop and alter them by name on both databases.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def created_at_field() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=UTCDateTime, nullable=False)


def loadable(attribute: Any) -> QueryableAttribute[Any]:
    """A column or relationship as loader options take it; SQLModel types class attributes as their values."""
    return cast(QueryableAttribute[Any], attribute)


def core_table(model: type[SQLModel]) -> CoreTable:
    """A table model's Core table, for bulk statements: the ORM's bulk path inspects every row again in Python."""
    return cast(CoreTable, model.__table__)  # type: ignore[attr-defined]


Model = TypeVar("Model", bound=SQLModel)


def from_columns(model: type[Model], row: Sequence[Any], start: int = 0) -> tuple[Model, int]:
    """The `model` whose table's columns a Core row holds in order from `start`, as the database
    gave them (not validated again), and where the row's next table starts: for lookups run on every
    request, which the ORM's path for a statement cost more than the statement."""
    names = [column.key for column in core_table(model).columns]
    end = start + len(names)
    return cast(Model, model.model_construct(**dict(zip(names, row[start:end], strict=True)))), end
