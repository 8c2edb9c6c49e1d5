from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db.migrate import alembic_config
from app.models import include_object, metadata
from app.wiring import upgrade_database
from tests.conftest import WITH_PGVECTOR
from tests.factories.newsroom import make_article

# The pgvector column lives outside the models; it must neither show as drift nor block a downgrade.
every_database = pytest.mark.parametrize("database_url", WITH_PGVECTOR, indirect=True)


@every_database
def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, metadata) == []


@every_database
def test_migrations_downgrade_and_upgrade_again(database_url, engine):
    command.downgrade(alembic_config(database_url), "base")
    with engine.connect() as connection:
        assert not {"article", "author"} & set(engine.dialect.get_table_names(connection))
    upgrade_database(database_url, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, metadata) == []


def test_upgrading_past_the_search_revisions_indexes_existing_articles(database_url, engine, session, client):
    make_article(session, title="Lighthouse keepers strike on the northern coast")
    make_article(session, title="Lighthouse keepers return to work after the strike")
    command.downgrade(alembic_config(database_url), "0003")

    upgrade_database(database_url, "head")

    found = client.get("/api/v1/articles", params={"q": "lighthouses"}).json()["data"]
    assert len(found) == 2
    related = client.get(f"/api/v1/articles/{found[0]['slug']}/related").json()["data"]
    assert [a["slug"] for a in related] == [found[1]["slug"]]


def test_upgrading_to_the_change_feed_lists_existing_articles(database_url, session, client, clock):
    public = make_article(session, title="Harbour reopens", now=clock.now).slug
    make_article(session, title="Merger talks", status="draft", now=clock.now)
    coming = make_article(
        session, title="Budget day", status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now
    ).slug
    session.rollback()
    command.downgrade(alembic_config(database_url), "0007")

    upgrade_database(database_url, "head")

    answer = client.get("/api/v1/changes").json()
    assert [(entry["kind"], entry["slug"]) for entry in answer["data"]] == [("upsert", public)]
    clock.now += timedelta(hours=1)
    later = client.get("/api/v1/changes", params={"since": answer["meta"]["next_cursor"]}).json()
    assert [entry["slug"] for entry in later["data"]] == [coming]


def test_rebuilding_the_search_index_for_prefixes_keeps_every_article_findable(database_url, session, client):
    made = [make_article(session, title=f"Lighthouse keepers strike, day {n}").slug for n in range(3)]
    session.rollback()

    def found(q: str) -> list[str]:
        return sorted(item["slug"] for item in client.get("/api/v1/articles", params={"q": q}).json()["data"])

    # Today's app reads only a database at head (its caches read tables added since 0015).
    command.downgrade(alembic_config(database_url), "0015")
    upgrade_database(database_url, "head")
    assert found("ligh*") == found("lighth*") == found("keepers") == sorted(made)
