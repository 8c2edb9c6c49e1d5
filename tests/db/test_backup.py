from sqlalchemy import Engine, inspect, text

from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article
from tests.server import run_in_process


def _everything(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, the search index and the migration stamp included."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {
            table: sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"')))  # noqa: S608
            for table in tables
        }


def test_a_backup_restores_every_table_exactly(database_url, engine, session, client, api_key, tmp_path):
    moderator = api_key("comments:moderate")
    article = make_article(session, tags=["Budget"], body=[{"type": "paragraph", "text": "The council voted."}])
    approve(client, moderator, reply(client, article.slug).json()["id"])
    saved = _everything(engine)
    assert saved["article"] and saved["comment"] and saved["article_tag"]
    backup = tmp_path / "byline.backup"
    run_in_process("backup", str(backup), env={"BYLINE_DATABASE_URL": database_url})

    make_article(session, title="Written after the backup")
    client.delete(f"/api/v1/articles/{article.slug}?hard=true", headers=api_key("admin"))
    engine.dispose()
    run_in_process("restore", "--yes", str(backup), env={"BYLINE_DATABASE_URL": database_url})

    engine.dispose()
    assert _everything(engine) == saved
    assert client.get(f"/api/v1/articles/{article.slug}").status_code == 200
