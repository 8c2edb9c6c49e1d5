"""Running Alembic migrations from code: the CLI, the demo loader and the tests share this."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.schema import SchemaItem
from sqlmodel import Session

from app.articles import rendered
from app.articles.indexing import reindex
from app.db.engines import build_engine, refresh_planner_statistics
from app.related.semantic import pgvector

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# Tables the migrations manage by hand because their shape differs per database.
UNMODELLED_TABLES = ("article_search",)
# Added by `pgvector.ensure` only where the server offers the extension.
UNMODELLED_COLUMNS = {("article_embedding", pgvector.COLUMN)}
UNMODELLED_INDEXES = {pgvector.INDEX}

# Revisions that add search structures. Migrations never fill them: they would run application code
# that may have changed since; the upgrade rebuilds them with today's code once it reaches head.
REBUILD_SEARCH_AFTER = frozenset({"0004", "0005"})


def include_object(
    obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    """Keep the full-text index (and FTS5's shadow tables) and the pgvector column out of model comparisons."""
    table = obj.table.name if type_ in ("column", "index") and hasattr(obj, "table") else name
    if (type_ == "column" and (table, name) in UNMODELLED_COLUMNS) or (type_ == "index" and name in UNMODELLED_INDEXES):
        return False
    return not (table or "").startswith(UNMODELLED_TABLES)


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
    """The newest migration this version of Byline ships."""
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Migrate, rebuild search entries if the upgrade created their tables, refresh planner statistics."""
    config = alembic_config(database_url)
    engine = build_engine(database_url, sqlite_bulk=True)
    try:
        before = schema_revision(engine)
        command.upgrade(config, revision)
        after = schema_revision(engine)
        scripts = ScriptDirectory.from_config(config)
        applied = {script.revision for script in scripts.iterate_revisions(after, before)} if after != before else set()
        at_head = after == scripts.get_current_head()
        if applied & REBUILD_SEARCH_AFTER and at_head:
            with Session(engine) as session:
                reindex(session)
                session.commit()
        if at_head:
            # Stored answers were rendered by whatever code ran before this upgrade.
            with Session(engine) as session:
                rendered.forget_all(session)
                session.commit()
            # The server may have gained the extension since the last upgrade.
            pgvector.ensure(engine)
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
