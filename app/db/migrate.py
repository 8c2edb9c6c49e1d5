"""Running Alembic migrations from code: the CLI, the demo loader and the tests share this."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.db.engines import build_engine, refresh_planner_statistics

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Upgrade:
    """What one upgrade did, for the steps that follow it."""

    # The revisions it applied.
    applied: frozenset[str]
    # Whether the database is now at the newest revision this release ships.
    at_head: bool


# A step after the migrations, with today's code: migrations never run application code, which may
# have changed since they were written.
AfterUpgrade = Callable[[Engine, Upgrade], None]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at; None before the first."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@cache
def head_revision() -> str:
    """The newest migration this version of Byline ships: read once per process, as reading it loads
    every migration's file (health checks ask on each call)."""
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def upgrade_database(database_url: str, revision: str = "head", *, then: Sequence[AfterUpgrade] = ()) -> None:
    """Migrate, run each step of `then`, refresh planner statistics."""
    config = alembic_config(database_url)
    engine = build_engine(database_url, sqlite_bulk=True)
    try:
        before = schema_revision(engine)
        command.upgrade(config, revision)
        after = schema_revision(engine)
        scripts = ScriptDirectory.from_config(config)
        applied = {script.revision for script in scripts.iterate_revisions(after, before)} if after != before else set()
        upgrade = Upgrade(applied=frozenset(applied), at_head=after == scripts.get_current_head())
        for step in then:
            step(engine, upgrade)
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
