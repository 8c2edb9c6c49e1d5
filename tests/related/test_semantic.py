"""Related articles by meaning: the embedding queue, the worker that drains it, the index and the blend."""

import pytest
from sqlmodel import Session, col, select

from app.articles import editing
from app.articles.schemas import ArticleUpdate
from app.articles.service import get_article
from app.related.models import ArticleEmbedding, EmbeddingPending
from app.related.semantic import backfill
from app.related.semantic.model import DIMENSIONS, Embedder
from app.related.semantic.neighbours import SemanticIndex
from tests.app_client import AppClient
from tests.conftest import WITH_PGVECTOR
from tests.factories.newsroom import NOW, make_article
from tests.related.test_related import BUDGET, MARKETS, QUAKE, body, related

# Two stories about football that share no word a lexical match could use.
DERBY = "The forward netted a brace at Old Trafford, sealing victory late in the second half of the derby."
DRAW = "A string of saves from the keeper kept the league leaders at bay in a tense goalless draw."


# Each database, and PostgreSQL once more with pgvector answering the neighbour lookups.
every_database = pytest.mark.parametrize("database_url", WITH_PGVECTOR, indirect=True)


def embed_everything(engine, embedder: Embedder) -> int:
    done = 0
    while count := backfill.embed_pending(lambda: Session(engine), 16, embedder=embedder):
        done += count
    return done


def pending(session) -> set[int]:
    """What is queued; the read ends at once, so the session holds no SQLite lock the worker needs."""
    session.rollback()
    queued = set(session.exec(select(EmbeddingPending.article_id)).all())
    session.rollback()
    return queued


def football(session):
    derby = make_article(session, title="Striker scores twice as United beat City", body=body(DERBY))
    draw = make_article(session, title="Goalkeeper heroics earn Rovers a point", body=body(DRAW))
    for title, text in [("Council approves budget", BUDGET), ("Shares slide", MARKETS), ("Coast shaken", QUAKE)]:
        make_article(session, title=title, body=body(text))
    return derby, draw


@every_database
def test_a_write_queues_the_article_and_the_worker_embeds_it(session, engine, embedder):
    article = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    article_id = article.id
    assert pending(session) == {article_id}
    assert embed_everything(engine, embedder) == 1
    session.rollback()
    stored = session.exec(select(ArticleEmbedding)).one()
    session.rollback()
    import numpy as np  # the semantic extra's, only where a test reads vectors

    vector = np.frombuffer(stored.vector, dtype=np.float32)
    assert stored.article_id == article_id and vector.shape == (DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector)) - 1) < 1e-4
    assert pending(session) == set()


def test_a_write_that_keeps_the_text_queues_nothing(session, engine, embedder):
    slug = make_article(session, title="Earthquake hits coast", body=body(QUAKE)).slug
    embed_everything(engine, embedder)

    def edit(**changes) -> int:
        article = get_article(session, slug, now=NOW)
        return editing.update_article(session, article, ArticleUpdate(**changes), now=NOW, actor="tests").id

    edit(tags=["Quakes"])
    assert pending(session) == set()
    article_id = edit(title="Earthquake hits the coast")
    assert pending(session) == {article_id}


def test_text_changed_while_embedding_stays_queued(session, engine, embedder):
    article = make_article(session, title="Earthquake hits coast", body=body(QUAKE))

    class EditedMeanwhile(Embedder):
        def __init__(self) -> None:
            self.__dict__ = embedder.__dict__

        def embed(self, texts):
            with Session(engine) as other:
                editing.update_article(
                    other,
                    get_article(other, article.slug, now=NOW),
                    ArticleUpdate(title="Aftershocks"),
                    now=NOW,
                    actor="tests",
                )
            return super().embed(texts)

    article_id = article.id
    assert backfill.embed_pending(lambda: Session(engine), 16, embedder=EditedMeanwhile()) == 1
    assert pending(session) == {article_id}
    embed_everything(engine, embedder)
    assert pending(session) == set()


@every_database
def test_meaning_finds_a_story_that_shares_no_word(client, session, engine, embedder):
    derby, draw = football(session)
    assert draw.slug not in [item["slug"] for item in related(client, derby.slug)]
    embed_everything(engine, embedder)
    [first, *_] = related(client, derby.slug)
    assert first["slug"] == draw.slug
    assert "similar topic" in first["reasons"]


@every_database
def test_semantic_false_ranks_as_without_embeddings(settings, clock, session, engine, embedder):
    from app.main import create_app

    make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    lead = make_article(session, title="Survivors found after quake", body=body(QUAKE + " " + MARKETS))
    derby, _ = football(session)
    with AppClient(create_app(settings, clock=clock)) as client:
        before = [related(client, slug) for slug in (lead.slug, derby.slug)]
    embed_everything(engine, embedder)
    off = settings.model_copy(update={"semantic": False})
    with AppClient(create_app(off, clock=clock)) as client:
        assert [related(client, slug) for slug in (lead.slug, derby.slug)] == before


@every_database
def test_unpublished_articles_never_appear_however_close(client, session, engine, embedder, editor):
    derby, draw = football(session)
    embed_everything(engine, embedder)
    session.rollback()
    assert client.post(f"/api/v1/articles/{draw.slug}/unpublish", headers=editor).status_code == 200
    assert draw.slug not in [item["slug"] for item in related(client, derby.slug)]


@every_database
def test_pins_still_come_first(client, session, engine, embedder, editor):
    derby, draw = football(session)
    pinned = make_article(session, title="Council approves budget", body=body(BUDGET))
    embed_everything(engine, embedder)
    session.rollback()
    response = client.put(f"/api/v1/articles/{derby.slug}/related/pins", json={"slugs": [pinned.slug]}, headers=editor)
    assert response.status_code == 200
    assert [item["slug"] for item in related(client, derby.slug)][:2] == [pinned.slug, draw.slug]


def test_the_graph_finds_what_exact_search_finds():
    import numpy as np

    rng = np.random.default_rng(7)
    centres = rng.normal(size=(50, DIMENSIONS))
    vectors = centres.repeat(20, axis=0) + 0.3 * rng.normal(size=(1000, DIMENSIONS))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    exact, graph = SemanticIndex(exact_limit=10_000), SemanticIndex(exact_limit=100)
    for index in (exact, graph):
        index.add(list(range(1000)), vectors)
    while not graph.approximate:
        graph.add([0], vectors[:1])  # waits on the build's lock
    found = [
        len(set(graph.nearest(vectors[q], 10)) & set(exact.nearest(vectors[q], 10))) / 10 for q in range(0, 1000, 10)
    ]
    assert not exact.approximate and sum(found) / len(found) >= 0.95


def test_an_index_replaces_a_re_embedded_vector():
    import numpy as np

    index = SemanticIndex(exact_limit=10)
    a, b = np.eye(DIMENSIONS, dtype=np.float32)[:2]
    index.add([1, 2], [a, b])
    index.add([1], [b])
    assert len(index) == 2 and index.similarities(b, [1, 2]) == {1: 1.0, 2: 1.0}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_article_deleted_while_embedded_is_skipped(session, engine, embedder):
    article = make_article(session, title="Earthquake hits coast", body=body(QUAKE))

    class DeletedMeanwhile(Embedder):
        def __init__(self) -> None:
            self.__dict__ = embedder.__dict__

        def embed(self, texts):
            with Session(engine) as other:
                editing.delete_article(other, get_article(other, article.slug, now=NOW), now=NOW)
            return super().embed(texts)

    assert backfill.embed_pending(lambda: Session(engine), 16, embedder=DeletedMeanwhile()) == 1
    session.rollback()
    assert session.exec(select(ArticleEmbedding).where(col(ArticleEmbedding.article_id) == article.id)).first() is None
