import shutil

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.db import build_engine
from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article


def test_a_read_only_database_serves_reads_and_refuses_writes_with_503(tmp_path, sqlite_template, clock):
    path = tmp_path / "byline.db"
    shutil.copyfile(sqlite_template, path)
    engine = build_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        slug = make_article(session).slug
        # No planner statistics yet either: start-up must not need to write them.
        session.execute(text("DELETE FROM sqlite_stat1"))
        session.commit()
    engine.dispose()
    read_only = Settings(_env_file=None, database_url=f"sqlite:///file:{path}?mode=ro&uri=true", secret_key=TEST_SECRET)
    with TestClient(create_app(read_only, clock=clock)) as client:
        assert client.get("/api/v1/articles").json()["meta"]["total"] == 1
        assert client.get(f"/api/v1/articles/{slug}").status_code == 200
        comment = {"author_name": "R", "author_email": "r@example.com", "content": "Still here?"}
        refused = client.post(f"/api/v1/articles/{slug}/comments", json=comment)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
