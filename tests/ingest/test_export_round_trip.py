"""An export ingested into an empty database answers every read as the original does."""

import shutil

import orjson
import pytest
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.db.engines import build_engine
from app.demo.loader import demo_content, load_demo
from app.main import create_app
from tests.app_client import AppClient
from tests.comments.helpers import approve, reply
from tests.conftest import PROXY_ADDRESS, TEST_SECRET
from tests.media.pictures import photo
from tests.server import run_in_process


def _newsroom(client, editor, moderator) -> None:
    """The demo newsroom, plus what it lacks: drafts, scheduled and archived articles, comments, pins,
    two more library pictures (one featured with the article's own caption, one in a body)."""
    slugs = [a["slug"] for a in client.get("/api/v1/articles", params={"limit": 5}).json()["data"]]
    harbour, street = (
        client.post(
            "/api/v1/media",
            files={"file": (f"{name}.jpg", photo(width, 300), "image/jpeg")},
            data={"alt": f"The {name}", "credit": "Ana Ruiz", "focal_x": "0.25", "focal_y": "0.75"},
            headers=editor,
        ).json()["id"]
        for name, width in (("harbour", 500), ("street", 400))
    )
    client.patch(
        f"/api/v1/articles/{slugs[3]}",
        json={"featured_image": {"media_id": street, "caption": "At dawn"}},
        headers=editor,
    )
    body = client.get(f"/api/v1/articles/{slugs[4]}").json()["body"]
    client.patch(
        f"/api/v1/articles/{slugs[4]}", json={"body": [*body, {"type": "image", "media_id": harbour}]}, headers=editor
    )
    client.patch(f"/api/v1/articles/{slugs[0]}", json={"status": "draft"}, headers=editor)
    client.patch(
        f"/api/v1/articles/{slugs[1]}",
        json={"status": "scheduled", "published_at": "2030-01-01T00:00:00Z"},
        headers=editor,
    )
    client.delete(f"/api/v1/articles/{slugs[2]}", headers=editor)
    client.post(f"/api/v1/articles/{slugs[3]}/corrections", json={"text": "The vote was 5-4."}, headers=editor)
    client.put(f"/api/v1/articles/{slugs[3]}/related/pins", json={"slugs": [slugs[4], slugs[0]]}, headers=editor)
    first = reply(client, slugs[3]).json()["id"]
    approve(client, moderator, first)
    second = reply(client, slugs[3], parent_id=first).json()["id"]
    approve(client, moderator, second)
    reply(client, slugs[4])  # held for moderation


def _without_ids(comments: list[dict]) -> list[dict]:
    # Comment ids are the new database's own; the threads must be the same.
    return [
        {k: v for k, v in c.items() if k not in ("id", "parent_id")} | {"replies": _without_ids(c["replies"])}
        for c in comments
    ]


def _comments(client, slug: str) -> object:
    answer = client.get(f"/api/v1/articles/{slug}/comments").json()
    return _without_ids(answer["data"]) if "data" in answer else answer


def _article(client, slug: str, headers: dict | None = None) -> object:
    answer = client.get(f"/api/v1/articles/{slug}", headers=headers).json()
    if "corrections" not in answer:
        return answer
    # Correction ids are the new database's own too.
    return answer | {"corrections": [{k: v for k, v in c.items() if k != "id"} for c in answer["corrections"]]}


def _related(client, slug: str) -> object:
    answer = client.get(f"/api/v1/articles/{slug}/related").json()
    if "data" not in answer:
        return answer
    # Which shared terms a reason names first among equally weighted ones follows the storage order.
    return [
        item | {"reasons": [r for r in item["reasons"] if not r.startswith("shared terms")]} for item in answer["data"]
    ]


def _answers(client, editor) -> dict:
    answers = {}
    listing = []
    for status in ("published", "draft", "scheduled", "archived"):
        page = client.get("/api/v1/articles", params={"status": status, "limit": 100}, headers=editor).json()
        listing.append(page["data"])
        for summary in page["data"]:
            slug = summary["slug"]
            answers[slug] = {
                "editor": _article(client, slug, editor),
                "public": _article(client, slug),
                "comments": _comments(client, slug),
                "related": _related(client, slug),
            }
    answers["lists"] = listing
    answers["authors"] = client.get("/api/v1/authors", params={"limit": 100}).json()["data"]
    answers["tags"] = client.get("/api/v1/tags", params={"limit": 100}).json()["data"]
    return answers


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_export_ingested_into_an_empty_database_reproduces_it(
    database_url, settings, clock, client, api_key, sqlite_template, tmp_path
):
    load_demo(settings)
    editor = api_key("content:write", "content:preview", "comments:moderate", "media:write", name="desk-editor")
    moderator = api_key("comments:moderate")
    _newsroom(client, editor, moderator)
    exported = client.get("/api/v1/export/articles.ndjson", headers=editor)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-ndjson")
    records = [orjson.loads(line) for line in exported.content.splitlines()]
    assert any(r["comments"] for r in records) and any(r["related"] for r in records)
    original = _answers(client, editor)
    original_media = client.get("/api/v1/media", headers=editor).json()["data"]

    # `byline export` writes the library's pictures beside the articles, and `byline ingest` brings both.
    archive = tmp_path / "backup.ndjson"
    run_in_process("export", str(archive), env=_env(database_url, tmp_path / "media"))
    assert archive.read_bytes().splitlines() == exported.content.splitlines()
    pictures = len(demo_content()["photos"]) + 2
    assert len(original_media) == pictures
    assert len((tmp_path / "backup.media" / "media.ndjson").read_bytes().splitlines()) == pictures

    copy = tmp_path / "copy.db"
    shutil.copyfile(sqlite_template, copy)
    copy_settings = settings.model_copy(
        update={"database_url": f"sqlite:///{copy}", "media_dir": str(tmp_path / "copy-media")}
    )
    copy_env = _env(copy_settings.database_url, tmp_path / "copy-media")
    imported = run_in_process("ingest", str(archive), env=copy_env).stderr
    assert _summary(imported) | {"created": 0} == {"created": 0, "failed": 0, "pictures added": pictures}
    assert _summary(imported)["created"] == len(records)
    with AppClient(create_app(copy_settings, clock=clock), client=(PROXY_ADDRESS, 50000)) as other:
        engine = build_engine(copy_settings.database_url)
        with Session(engine) as session:
            _, plain = issue_key(
                session,
                secret_key=TEST_SECRET,
                name="desk-editor",
                scopes=[Scope.content_write, Scope.content_preview, Scope.media_write],
                now=clock.now,
            )
        engine.dispose()
        copy_editor = {"Authorization": f"Bearer {plain}"}
        assert _answers(other, copy_editor) == original
        assert other.get("/api/v1/media", headers=copy_editor).json()["data"] == original_media
        # Every picture's renditions are made from the original brought along.
        for item in original_media:
            assert other.get(item["url"].removeprefix("http://testserver")).status_code == 200
        again = _summary(run_in_process("ingest", str(archive), env=copy_env).stderr)
        assert (again["unchanged"], again["pictures already in the library"]) == (len(records), pictures)
        assert "pictures added" not in again


def _summary(printed: str) -> dict[str, int]:
    """The summary table's rows that are not zero, and `failed`, as {row: count}."""
    rows = (line.strip("│ ").split("│") for line in printed.splitlines() if line.startswith("│"))
    return {name.strip(): int(n) for name, n in rows if n.strip().isdigit() and (int(n) or "failed" in name)}


def _env(database_url: str, media: object) -> dict[str, str]:
    return {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_MEDIA_DIR": str(media),
        "BYLINE_PUBLIC_URL": "http://testserver",
        "BYLINE_SECRET_KEY": TEST_SECRET,
    }


def test_export_without_moderation_scope_leaves_out_commenters_addresses(client, editor):
    from tests.ingest.helpers import record, send

    comment = {"external_id": "c", "author_name": "A", "author_email": "a@example.org", "content": "Hi"}
    send(client, editor, record(1, comments=[comment | {"created_at": "2025-05-03T00:00:00Z"}]))
    exported = client.get("/api/v1/export/articles.ndjson", headers=editor)
    assert b"a@example.org" not in exported.content
    assert orjson.loads(exported.content.splitlines()[0])["comments"][0]["author_email"] == ""


def test_export_since_a_time_lists_only_later_changes(client, editor):
    from tests.ingest.helpers import record, send

    send(client, editor, record(1, updated_at="2025-01-01T00:00:00Z"), record(2, updated_at="2025-03-01T00:00:00Z"))
    exported = client.get(
        "/api/v1/export/articles.ndjson", params={"updated_since": "2025-02-01T00:00:00Z"}, headers=editor
    )
    assert [orjson.loads(line)["external_id"] for line in exported.content.splitlines()] == ["ext-2"]
