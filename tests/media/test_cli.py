"""`byline media import` and `byline media renditions`, run as an operator would."""

from sqlmodel import Session, select

from app.db.engines import build_engine
from app.media.models import Media
from app.media.sizes import every
from tests.media.pictures import photo
from tests.server import run_in_process


def _counts(printed: str) -> dict[str, int]:
    """The summary table's rows, as {outcome: count}."""
    rows = (line.strip("│ ").split("│") for line in printed.splitlines() if line.startswith("│"))
    return {name.strip(): int(count) for name, count in rows if count.strip().isdigit()}


def test_a_folder_is_imported_once_and_its_renditions_made_ahead(database_url, tmp_path):
    folder = tmp_path / "pictures"
    (folder / "2024").mkdir(parents=True)
    (folder / "harbour.jpg").write_bytes(photo(700, 500))
    (folder / "2024" / "copy-of-harbour.jpg").write_bytes(photo(700, 500))
    (folder / "2024" / "street.png").write_bytes(photo(400, 300, kind="PNG"))
    (folder / "notes.txt").write_text("not a picture")
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_MEDIA_DIR": str(tmp_path / "media")}

    first = run_in_process("media", "import", str(folder), env=env).stderr
    assert _counts(first) == {"added": 2, "already in the library": 1, "refused: unsupported media type": 1}
    assert "notes.txt" in first
    again = _counts(run_in_process("media", "import", str(folder), env=env).stderr)
    assert again["added"] == 0 and again["already in the library"] == 3
    with Session(build_engine(database_url)) as session:
        pictures = session.exec(select(Media)).all()
    assert sorted((p.filename, p.width) for p in pictures) == [("copy-of-harbour.jpg", 700), ("street.png", 400)]
    assert all(p.uploaded_by == "byline media import" for p in pictures)

    listed = sum(len(every(p.width, p.height, (500, 500))) for p in pictures)
    made = _counts(run_in_process("media", "renditions", "--missing", env=env).stderr)
    assert made == {"made": listed, "original missing": 0}
    assert _counts(run_in_process("media", "renditions", "--missing", env=env).stderr)["made"] == 0
    assert len(list((tmp_path / "media" / "renditions").rglob("*.*"))) == listed
