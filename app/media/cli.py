"""`byline media`: add a folder of pictures to the library, and make renditions ahead of their first
request, both with progress bars and a summary."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlmodel import Session, col, select

from app.core.command_line import notes as console
from app.core.command_line import settings_or_exit
from app.core.errors import ProblemError
from app.db.engines import build_engine
from app.media import service
from app.media.collection import open_library
from app.media.images import content_hash
from app.media.models import Media
from app.media.renditions import rendition_key
from app.media.schemas import MediaWords
from app.media.sizes import every, focus_of
from app.media.storage import renditions_prefix

media = typer.Typer(help="The media library: pictures and their renditions.", no_args_is_help=True)
COMMAND_UPLOADER = service.Uploader(name="byline media import")
# Alt text and credits are added in the library afterwards (PATCH).
_NO_WORDS = MediaWords.model_validate({})


def _bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console)


def _summary(title: str, what: str, counts: Counter[str]) -> Table:
    table = Table(title=title)
    table.add_column(what)
    table.add_column("Count", justify="right")
    for outcome, count in counts.items():
        table.add_row(outcome, str(count))
    return table


@media.command("import")
def import_command(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="Every picture in it and its subfolders."),
) -> None:
    """Add every picture file in FOLDER, judged by content; one already in the library (same bytes) is skipped."""
    settings = settings_or_exit()
    library = open_library(settings)
    files = sorted(path for path in folder.rglob("*") if path.is_file() and not path.name.startswith("."))
    counts: Counter[str] = Counter({"added": 0, "already in the library": 0})
    with Session(build_engine(settings.database_url)) as session, _bar("importing") as progress:
        task = progress.add_task("import", total=len(files))
        for path in files:
            data = path.read_bytes()
            if service.with_hash(session, content_hash(data)):
                counts["already in the library"] += 1
            else:
                try:
                    service.add_media(
                        session,
                        library,
                        data,
                        _NO_WORDS,
                        uploader=COMMAND_UPLOADER,
                        now=datetime.now(UTC),
                        filename=path.name,
                    )
                    counts["added"] += 1
                except ProblemError as refused:
                    session.rollback()
                    counts[f"refused: {refused.title.lower()}"] += 1
                    console.print(f"[yellow]{path}: {refused.detail}[/yellow]")
            progress.advance(task)
    console.print(_summary("Imported", "Files", counts))


@media.command("renditions")
def renditions_command(
    missing: bool = typer.Option(
        True, "--missing/--all", help="Make only the renditions not yet stored, or make every one anew."
    ),
) -> None:
    """Make the renditions every picture lists, ahead of their first request."""
    settings = settings_or_exit()
    library = open_library(settings)
    with Session(build_engine(settings.database_url)) as session:
        pictures = list(session.exec(select(Media).order_by(col(Media.id))))
    seen: set[str] = set()
    work = []
    for picture in pictures:
        for rendition in every(picture.width, picture.height, focus_of(picture.focal_x, picture.focal_y)):
            key = rendition_key(picture.content_hash, rendition)
            # Pictures sharing a file share its renditions.
            if key not in seen:
                seen.add(key)
                work.append((picture, rendition, key))
    if missing:
        work = [item for item in work if library.storage.open(item[2]) is None]
    else:
        for picture in pictures:
            # Made anew on demand meanwhile, should a page ask first.
            library.storage.delete(renditions_prefix(picture.content_hash))
    counts: Counter[str] = Counter({"made": 0, "original missing": 0})
    with _bar("rendering") as progress, ThreadPoolExecutor(settings.media_render_concurrency) as pool:
        task = progress.add_task("render", total=len(work))
        made = pool.map(
            lambda item: library.renderer.file(item[0].content_hash, item[0].width, item[0].height, item[1]), work
        )
        for path in made:
            counts["made" if path is not None else "original missing"] += 1
            progress.advance(task)
    console.print(_summary("Renditions", "Renditions", counts))
