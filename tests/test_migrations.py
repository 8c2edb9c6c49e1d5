from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.migrate import alembic_config, include_object, upgrade_database
from app.models import metadata


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, metadata) == []


def test_migrations_downgrade_and_upgrade_again(database_url, engine):
    command.downgrade(alembic_config(database_url), "base")
    with engine.connect() as connection:
        assert not {"article", "author"} & set(engine.dialect.get_table_names(connection))
    upgrade_database(database_url, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, metadata) == []
