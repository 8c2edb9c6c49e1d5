"""`byline ingest` and `byline export`: archives in and out, streamed, with progress and a summary."""

import gc
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from app.ingest.service import Outcome

console = Console(stderr=True)


class SourceFormat(StrEnum):
    auto = "auto"
    ndjson = "ndjson"
    json = "json"
    markdown = "markdown"
    wxr = "wxr"
    rss = "rss"


class OnErrorChoice(StrEnum):
    skip = "skip"
    abort = "abort"


class StatusChoice(StrEnum):
    published = "published"
    draft = "draft"


def _collect_garbage_seldom() -> None:
    """An archive passes through millions of short-lived objects; by default the collector looks for
    cycles every 700 allocations, among everything loaded so far, and took a sixth of an import's time."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def _summary(
    counts: Counter[str], skipped: Counter[str], pictures: Counter[str], *, dry_run: bool, aborted: bool
) -> Table:
    table = Table(title="Would be imported (dry run)" if dry_run else "Imported")
    table.add_column("Records")
    table.add_column("Count", justify="right")
    for status in ("created", "updated", "unchanged", "failed"):
        table.add_row(status, str(counts[status]))
    for why, count in sorted(skipped.items()):
        table.add_row(f"skipped: {why}", str(count))
    for what, count in sorted(pictures.items()):
        table.add_row(what, str(count))
    if aborted:
        table.caption = "A record failed with --on-error abort: nothing was stored."
    return table


def _advance(progress: Progress, task: TaskID, records: int) -> None:
    progress.advance(task, records)
    elapsed = progress.tasks[0].elapsed or 0
    if elapsed:
        progress.update(task, rate=f"{progress.tasks[0].completed / elapsed:,.0f}")


def ingest_command(
    sources: list[str] = typer.Argument(..., metavar="SOURCE...", help="Files, directories or feed URLs."),
    source_format: SourceFormat = typer.Option(SourceFormat.auto, "--format", help="How to read the sources."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; store nothing."),
    on_error: OnErrorChoice = typer.Option(OnErrorChoice.skip, "--on-error", help="skip bad records, or abort all."),
    status: StatusChoice | None = typer.Option(
        None,
        "--status",
        help="Status of every record, whatever its source says (draft: review an import before it goes live).",
    ),
    media: Path | None = typer.Option(
        None,
        "--media",
        help="Pictures of an export (byline export --media); by default the folder beside each file (backup.media).",
    ),
    rehost_media: bool = typer.Option(
        False,
        "--rehost-media",
        help="Fetch the pictures records name by URL (and WordPress attachments) into the media library.",
    ),
) -> None:
    """Import articles (upserted by external id, or slug): running the same import again changes nothing."""
    from sqlmodel import Session

    from app.articles.errors import SlugTaken
    from app.articles.visibility import editor
    from app.core.clock import utcnow
    from app.core.command_line import settings_or_exit
    from app.db.engines import build_engine
    from app.demo.removal import demo_article_slugs
    from app.ingest.media import RECORDS, Rehost, folder_beside, import_media, renamed
    from app.ingest.readers import READERS, SourceRecord, detect, feeds, wxr
    from app.ingest.service import Ingest, Received
    from app.media.collection import open_library

    missing = [s for s in sources if not s.startswith(("http://", "https://")) and not Path(s).exists()]
    if missing:
        console.print(f"[red]No such file or directory: {', '.join(missing)}[/red]")
        raise typer.Exit(2)
    try:
        formats = {
            source: source_format.value if source_format is not SourceFormat.auto else detect(source)
            for source in sources
        }
    except ValueError as unknown_source:
        console.print(f"[red]{unknown_source}; name the format with --format.[/red]")
        raise typer.Exit(2) from None
    unknown = sorted({name for name in formats.values() if name not in READERS})
    if unknown:
        console.print(f"[red]No reader for {', '.join(unknown)} here; readers: {', '.join(sorted(READERS))}.[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    skipped: Counter[str] = Counter()
    pictures: Counter[str] = Counter()
    _collect_garbage_seldom()
    folders = {
        source: media or folder_beside(Path(source))
        for source in sources
        if not source.startswith(("http://", "https://"))
    }
    folders = {source: folder for source, folder in folders.items() if (folder / RECORDS).is_file()}
    media_ids: dict[str, dict[int, int]] = {}

    def received(counting: bool = True) -> Iterator[Received]:
        for source, name in formats.items():
            item: SourceRecord
            # Remote feeds only from the addresses the settings allow.
            if name == "rss":
                items = feeds.read_feed(source, destinations=settings.destinations)
            else:
                items = READERS[name](source)
            for item in items:
                if item.skipped is not None:
                    skipped[item.skipped] += counting
                    continue
                record = item.record
                if record is not None and status is not None:
                    record = record | {"status": status.value}
                if record is not None and source in media_ids:
                    record = renamed(record, media_ids[source])
                if record is not None and rehosting is not None:
                    record = rehosting.record(record)
                # Every position names its source, for runs over many files.
                named = Path(source).name
                position = item.position if named in item.position else f"{named}: {item.position}"
                yield Received(position, record, item.error)

    counts: Counter[str] = Counter()
    engine = build_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous, sqlite_bulk=True)
    progress = Progress(
        TextColumn("[bold]Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} records/s"),
        TimeElapsedColumn(),
        console=console,
        # Redrawing costs the import's own time.
        refresh_per_second=2,
    )
    with Session(engine, expire_on_commit=False) as session:
        library = open_library(settings)
        for folder in dict.fromkeys(folders.values()):
            ids, outcomes, refused = import_media(session, library, folder, dry_run=dry_run)
            media_ids |= {source: ids for source, named in folders.items() if named == folder}
            pictures.update(outcomes)
            pictures["pictures refused"] += len(refused)
            for reason in refused:
                console.print(f"[red]{folder / reason}[/red]")
    rehosting = None
    if rehost_media and not dry_run:
        # Pictures are added in their own transactions, in a first pass, never inside an import's chunk
        # (SQLite has one writer): the import then finds each URL's id in the Rehost's memory.
        with Session(engine, expire_on_commit=False) as rehost_session:
            rehosting = Rehost(rehost_session, open_library(settings), settings.destinations, now=utcnow())
            for source, name in formats.items():
                for attachment in wxr.attachments(source) if name == "wxr" else []:
                    rehosting.picture(attachment["url"], attachment)
            for _ in received(counting=False):
                pass
            rehosting.fetching = False
    with Session(engine, expire_on_commit=False) as session, progress:
        task = progress.add_task("ingest", total=None, rate="0")
        run = Ingest(
            session,
            now=utcnow(),
            actor="ingest",
            # The server's operator: every article, embargoed or not.
            reader=editor(embargoed=True),
            base_url=settings.base_url,
            on_error=on_error.value,
            dry_run=dry_run,
        )
        unshown = 0
        # Reported after the run, once the clashing slugs are known to be the demo's or not.
        slug_taken = f"{settings.base_url}/problems/{SlugTaken.type_slug}"
        clashes: list[Outcome] = []
        for outcome in run.run(received()):
            if outcome.was is not None:
                counts[outcome.was] -= 1
            else:
                unshown += 1
            counts[outcome.status] += 1
            if outcome.status == "failed" and outcome.error is not None:
                if outcome.error.get("type") == slug_taken:
                    clashes.append(outcome)
                else:
                    _report_failure(outcome, outcome.error)
            # The bar moves a hundred records at a time: updating it costs more than storing a record.
            if unshown >= 100:
                _advance(progress, task, unshown)
                unshown = 0
        _advance(progress, task, unshown)
        demo = demo_article_slugs(session, {outcome.slug for outcome in clashes if outcome.slug})
    engine.dispose()
    if rehosting is not None:
        pictures.update(rehosting.counts)
        for failure in rehosting.failures:
            console.print(f"[yellow]Kept at its URL: {failure}[/yellow]")
    for outcome in clashes:
        if outcome.slug in demo:
            console.print(
                f"[red]{outcome.position}[/red] not imported: its slug '{outcome.slug}' belongs to an article of "
                f"the demo newsroom{f' (post {outcome.external_id})' if outcome.external_id else ''}."
            )
        elif outcome.error is not None:
            _report_failure(outcome, outcome.error)
    aborted = on_error is OnErrorChoice.abort and counts["failed"] > 0
    console.print(_summary(counts, skipped, pictures, dry_run=dry_run, aborted=aborted))
    clashing = sum(outcome.slug in demo for outcome in clashes)
    if clashing:
        console.print(
            f"[yellow]{clashing} record(s) share a slug with the demo newsroom's articles.[/yellow] "
            "`byline demo remove` removes the demo (its articles with their comments, and its authors, sections "
            "and tags nothing else uses); then run this import again."
        )
    if counts["failed"]:
        raise typer.Exit(1)


def _report_failure(outcome: "Outcome", error: dict[str, Any]) -> None:
    where = "; ".join(e["pointer"] for e in error.get("errors", []) if e["pointer"] != "#")
    console.print(f"[red]{outcome.position}[/red] {where} {error.get('detail', '')}")


def _write(lines: Iterable[bytes], out: BinaryIO) -> int:
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


def export_command(
    path: str = typer.Argument("-", help="File to write, or - for standard output."),
    export_format: str = typer.Option("ndjson", "--format", help="Only ndjson."),
    updated_since: datetime | None = typer.Option(None, "--updated-since", help="Only articles changed since."),
    media: Path | None = typer.Option(
        None, "--media", help="Folder for the media library's pictures; by default beside PATH (backup.media)."
    ),
) -> None:
    """Write every article (all statuses, with comments and related pins) in the shape `byline ingest` reads,
    and the media library's originals and records beside it."""
    from datetime import UTC

    from sqlmodel import Session

    from app.articles.visibility import editor
    from app.core.clock import utcnow
    from app.core.command_line import settings_or_exit
    from app.db.engines import build_engine
    from app.ingest.export import export_records
    from app.ingest.media import export_media, folder_beside
    from app.media.collection import open_library

    if export_format != "ndjson":
        console.print("[red]Only --format ndjson is written.[/red]")
        raise typer.Exit(2)
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    settings = settings_or_exit()
    engine = build_engine(settings.database_url, for_writes=False, sqlite_bulk=True)
    _collect_garbage_seldom()
    with Session(engine) as session:
        # The server's operator exports the whole archive, embargoed articles included.
        records = export_records(session, now=utcnow(), reader=editor(embargoed=True), updated_since=updated_since)
        lines = (orjson.dumps(record) + b"\n" for record in records)
        if path == "-":
            count = _write(lines, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with Path(path).open("wb") as out:
                count = _write(lines, out)
        folder = media if media is not None or path == "-" else folder_beside(Path(path))
        pictures = export_media(session, open_library(settings), folder) if folder is not None else None
    engine.dispose()
    console.print(f"[green]Exported {count} article(s).[/green]")
    if pictures is not None:
        console.print(f"[green]Exported {pictures} picture(s) to {folder}.[/green]")
    else:
        console.print("[yellow]Pictures are not written to standard output: name a folder with --media.[/yellow]")
