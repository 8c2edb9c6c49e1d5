"""Running Alembic migrations from code: the CLI, the demo loader and the tests share this."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.db import build_engine, refresh_planner_statistics

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Tables the migrations manage by hand because their shape differs per database.
UNMODELLED_TABLES = ("article_search",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Keep the full-text index (and FTS5's shadow tables) out of model comparisons."""
    table = obj.table.name if type_ in ("column", "index") and hasattr(obj, "table") else name
    return not (table or "").startswith(UNMODELLED_TABLES)


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
    engine = build_engine(database_url)
    try:
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
