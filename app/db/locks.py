"""A lock held across every server that shares the PostgreSQL database."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text


@contextmanager
def across_servers(engine: Engine, name: str) -> Iterator[None]:
    """Held for the block by one process on any server sharing `engine`'s PostgreSQL database. On
    SQLite, whose servers share one machine, it holds nothing: lock files beside the data serve there."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with engine.begin() as connection:
        # Released with the transaction however the block ends, and by the server if this process dies.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield
