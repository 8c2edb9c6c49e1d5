"""pgvector: `byline db upgrade` puts it to use where the server has the extension, API workers find
it at start-up, and its neighbours are the ones exact search finds; a server without it changes nothing."""

import json
import logging
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from app.main import create_app
from app.related.dependencies import NEIGHBOURS
from app.related.semantic import pgvector
from app.related.semantic.neighbours import SemanticIndex
from app.wiring import upgrade_database
from tests.app_client import AppClient
from tests.conftest import PGVECTOR_URL, POSTGRES_URL
from tests.factories.newsroom import make_article
from tests.related.test_related import BUDGET, MARKETS, QUAKE, QUAKE_2, body
from tests.related.test_semantic import embed_everything, football

if TYPE_CHECKING:
    import numpy as np

with_pgvector = pytest.mark.parametrize("database_url", ["pgvector"] if PGVECTOR_URL else [], indirect=True)
without_pgvector = pytest.mark.parametrize("database_url", ["postgresql"] if POSTGRES_URL else [], indirect=True)


@pytest.fixture
def column_dropped(engine):
    """The database as one upgraded before its server had pgvector; put back afterwards."""
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE article_embedding DROP COLUMN {pgvector.COLUMN}"))
    yield
    pgvector.ensure(engine)


def newsroom(session):
    derby, draw = football(session)
    for n, text_ in enumerate([QUAKE, QUAKE_2, BUDGET, MARKETS]):
        make_article(session, title=f"Second report {n}", body=body(text_))
    return derby, draw


def stored(engine) -> dict[int, tuple["np.ndarray", "np.ndarray | None"]]:
    """Each embedding as stored for the worker's index and, if any, in the pgvector column."""
    import numpy as np  # the semantic extra's, only where a test reads vectors

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT article_id, vector, embedding::text FROM article_embedding"))
        return {
            id: (np.frombuffer(vector, dtype=np.float32), None if column is None else np.array(json.loads(column)))
            for id, vector, column in rows
        }


@with_pgvector
def test_upgrade_puts_pgvector_to_use_and_fills_what_was_stored_before(
    database_url, engine, session, embedder, column_dropped
):
    newsroom(session)
    session.commit()
    embed_everything(engine, embedder)
    with engine.connect() as connection:
        assert pgvector.offered(connection) and not pgvector.in_use(connection)
    upgrade_database(database_url)
    with engine.connect() as connection:
        assert pgvector.in_use(connection)
        [definition] = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": pgvector.INDEX}
        ).scalars()
    assert "hnsw" in definition and "vector_cosine_ops" in definition
    import numpy as np

    vectors = stored(engine)
    assert len(vectors) == 9
    for own, column in vectors.values():
        assert column is not None and np.allclose(own, column, atol=1e-6)


@with_pgvector
def test_the_worker_fills_the_column_as_it_embeds(engine, session, embedder):
    newsroom(session)
    session.commit()
    embed_everything(engine, embedder)
    vectors = stored(engine)
    assert len(vectors) == 9 and all(column is not None for _, column in vectors.values())


@with_pgvector
def test_the_api_asks_pgvector_and_finds_what_exact_search_finds(client, engine, session, embedder):
    newsroom(session)
    session.commit()
    embed_everything(engine, embedder)
    neighbours = client.app.state.byline.part(NEIGHBOURS)
    exact = SemanticIndex(exact_limit=1000)
    with engine.begin() as connection:
        ids = list(connection.execute(text("SELECT id FROM article ORDER BY id")).scalars())
        for article_id in ids:
            found, expected = neighbours.around(connection, article_id, 3), exact.around(connection, article_id, 3)
            assert found is not None and expected is not None
            assert found.near == expected.near
            others = [id for id in ids if id != article_id]
            assert found.similarities(others) == pytest.approx(expected.similarities(others), abs=1e-5)
    assert isinstance(neighbours.chosen, pgvector.DatabaseNeighbours)


@with_pgvector
def test_an_article_without_an_embedding_has_no_meaning_yet(engine, session):
    article = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    session.commit()
    with engine.begin() as connection:
        assert pgvector.DatabaseNeighbours().around(connection, article.id, 5) is None


def chosen_after_a_lookup(client, session):
    """What the API's first related lookup settled on."""
    article = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    session.commit()
    assert client.get(f"/api/v1/articles/{article.slug}/related").status_code == 200
    return client.app.state.byline.part(NEIGHBOURS).chosen


@with_pgvector
def test_a_server_that_offers_pgvector_to_a_database_not_upgraded_says_so(
    settings, clock, session, caplog, column_dropped
):
    with caplog.at_level(logging.WARNING, logger="byline.related"), AppClient(create_app(settings, clock=clock)) as c:
        assert isinstance(chosen_after_a_lookup(c, session), SemanticIndex)
    assert "the database server offers pgvector; run `byline db upgrade` to use it" in caplog.messages


@without_pgvector
def test_a_server_without_pgvector_keeps_the_vectors_in_each_worker(client, session, engine):
    with engine.connect() as connection:
        assert not pgvector.offered(connection) and not pgvector.in_use(connection)
    assert isinstance(chosen_after_a_lookup(client, session), SemanticIndex)


@with_pgvector
def test_a_worker_starts_without_asking_the_database(client, session):
    assert client.app.state.byline.part(NEIGHBOURS).chosen is None
    assert isinstance(chosen_after_a_lookup(client, session), pgvector.DatabaseNeighbours)
