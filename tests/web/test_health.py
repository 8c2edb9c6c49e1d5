from alembic import command

from app.db.migrate import alembic_config, head_revision
from app.wiring import upgrade_database


def test_health_answers_while_the_process_is_up(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_ready_once_the_database_is_at_the_newest_migration(client):
    assert client.get("/readyz").json() == {"status": "ready", "schema_revision": head_revision()}


def test_not_ready_while_migrations_are_missing(client, database_url):
    command.downgrade(alembic_config(database_url), "0006")
    try:
        response = client.get("/readyz")
    finally:
        upgrade_database(database_url)
    assert response.status_code == 503 and response.json()["type"].endswith("/problems/not-migrated")
    assert client.get("/readyz").status_code == 200
