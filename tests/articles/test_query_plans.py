"""Listings must walk an index, and a comment's judging search one, at any size: checked on SQLite's
plans, which need no statistics."""

import re
import shutil
import sqlite3

import pytest

from tests.comments.helpers import approve, reply
from tests.conftest import counting_queries
from tests.factories.newsroom import make_article, make_author, make_section

LISTINGS = [
    "/api/v1/articles",
    "/api/v1/articles?section=world",
    "/api/v1/articles?tag=russia",
    "/api/v1/articles?author=alok-verma",
    "/api/v1/articles?published_after=2025-01-01&published_before=2025-06-01",
    "/api/v1/authors/alok-verma/articles",
    "/api/v1/authors",
    "/api/v1/sections",
    "/api/v1/tags",
    "/api/v1/changes",
]


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "byline.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def plans(database_url: str, statements) -> list[str]:
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        return [
            " | ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
        ]
    finally:
        connection.close()


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_queries_walk_an_index_and_never_sort_the_table(client, session, database_url, url):
    make_section(session, slug="world", name="World")
    make_author(session, slug="alok-verma", name="Alok Verma")
    for n in range(3):
        make_section(session)
        make_article(
            session, section="world", tags=["Russia", f"Topic {n}"], authors=["alok-verma", make_author(session).slug]
        )
    # The second page, so the cursor condition is part of the plan too.
    second_page = client.get(url + ("&" if "?" in url else "?") + "limit=2").json()["links"]["next"]
    with counting_queries(client.app.state.byline.engines.read) as statements:
        assert client.get(second_page).status_code == 200
    for (sql, _), plan in zip(statements, plans(database_url, statements), strict=True):
        steps = plan.split(" | ")
        assert not [step for step in steps if step.startswith("SCAN") and "INDEX" not in step], plan
        if "LIMIT" in sql:  # the page itself; loading its authors and tags may sort those few rows
            assert "USE TEMP B-TREE FOR ORDER BY" not in steps, plan


def test_judging_a_comment_reads_only_the_comments_of_its_sender_and_its_words(client, session, database_url, api_key):
    # Walking every approved comment, or a whole index, costs more with every comment ever kept.
    article = make_article(session)
    moderator = api_key("comments:moderate")
    for n in range(3):
        approve(client, moderator, reply(client, article.slug, author_email=f"regular{n}@example.com").json()["id"])
    with counting_queries(client.app.state.byline.engines.write) as statements:
        assert reply(client, article.slug, author_email="newcomer@example.com").status_code in (201, 202)
    steps = [step for plan in plans(database_url, statements) for step in plan.split(" | ") if " comment " in step]
    assert steps
    for step in steps:
        assert re.match(r"SEARCH comment .*\((network_hash|author_email|content_hash|rowid)=", step), step
