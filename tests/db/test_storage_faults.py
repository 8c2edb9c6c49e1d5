"""A database the server cannot write to, read-only or out of disk: reads go on, writes are 503."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, func, select

from app.articles.models import Article, ArticleRevision
from app.auth.models import Scope
from app.auth.service import issue_key
from app.core.settings import Settings
from app.db.engines import build_engine
from app.main import create_app
from tests.app_client import AppClient
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article


def test_a_read_only_database_serves_reads_and_refuses_writes_with_503(tmp_path, sqlite_template, clock):
    path = tmp_path / "byline.db"
    shutil.copyfile(sqlite_template, path)
    engine = build_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        slug = make_article(session).slug
        # No planner statistics yet either: start-up must not need to write them.
        session.execute(text("DROP TABLE sqlite_stat1"))
        session.commit()
    engine.dispose()
    read_only = Settings(_env_file=None, database_url=f"sqlite:///file:{path}?mode=ro&uri=true", secret_key=TEST_SECRET)
    with AppClient(create_app(read_only, clock=clock)) as client:
        assert client.get("/api/v1/articles").json()["meta"]["total"] == 1
        assert client.get(f"/api/v1/articles/{slug}").status_code == 200
        comment = {"author_name": "R", "author_email": "r@example.com", "content": "Still here?"}
        refused = client.post(f"/api/v1/articles/{slug}/comments", json=comment)
        assert refused.status_code == 503 and refused.headers["Retry-After"]


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A real file system of `size`, so the disk can truly run full."""
    folder.mkdir()
    subprocess.run(["/usr/bin/mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["/usr/bin/umount", "--lazy", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Take every byte still free, down to the last one."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * chunk)
            except OSError:
                continue
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_refuses_writes_with_503_keeps_reads_and_loses_nothing(tmp_path, sqlite_template, clock):
    with small_disk(tmp_path / "disk", "3m") as disk:
        path = disk / "byline.db"
        shutil.copyfile(sqlite_template, path)
        engine = build_engine(f"sqlite:///{path}")
        with Session(engine) as session:
            slug = make_article(session, title="What the disk held").slug
            _, key = issue_key(
                session, secret_key=TEST_SECRET, name="desk", scopes=[Scope("content:write")], now=clock.now
            )
            session.commit()
        engine.dispose()
        editor = {"Authorization": f"Bearer {key}"}
        settings = Settings(_env_file=None, database_url=f"sqlite:///{path}", secret_key=TEST_SECRET)
        comment = {"author_name": "R", "author_email": "r@example.com", "content": "Is anyone there?"}
        long_body = [{"type": "paragraph", "text": f"Dispatch {n}. " + "More news. " * 300} for n in range(300)]
        with AppClient(create_app(settings, clock=clock)) as client:
            assert client.get(f"/api/v1/articles/{slug}").status_code == 200
            filler = fill(disk)

            refused = [
                client.post(f"/api/v1/articles/{slug}/comments", json=comment),
                client.patch(f"/api/v1/articles/{slug}", json={"title": "Half", "body": long_body}, headers=editor),
            ]
            for answer in refused:
                assert answer.status_code == 503 and answer.headers["Retry-After"]
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["detail"].startswith("The database's disk is full")
            assert client.get(f"/api/v1/articles/{slug}").json()["title"] == "What the disk held"
            assert client.get("/api/v1/articles").json()["meta"]["total"] == 1

            filler.unlink()
            assert client.post(f"/api/v1/articles/{slug}/comments", json=comment).status_code == 202
            assert client.patch(f"/api/v1/articles/{slug}", json={"title": "Room again"}, headers=editor).is_success
        engine = build_engine(f"sqlite:///{path}")
        with Session(engine) as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert session.exec(select(Article.title)).one() == "Room again"
            assert session.exec(select(func.count()).select_from(ArticleRevision)).one() == 2
        engine.dispose()
