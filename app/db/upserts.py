"""INSERT … ON CONFLICT, which SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect."""

from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def conflict_insert(bind: Engine | Connection, table: Any) -> Any:
    """An INSERT into `table` for `bind`'s database, offering `on_conflict_do_nothing/do_update` and `excluded`."""
    return (postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert)(table)
