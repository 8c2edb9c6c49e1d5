"""`byline serve`: the process that starts uvicorn's workers. It loads no domain, table or web framework:
with several workers, a fork server loads the app once (app.worker_preload) and forks each of them."""

import os
import shutil
import signal
import sys
import tempfile
from importlib import import_module
from typing import TYPE_CHECKING

import typer
import uvicorn

from app.auth.scopes import Scope
from app.caching.responses.announce_file import ANNOUNCE_FILE
from app.core.command_line import notes as console
from app.core.command_line import settings_or_exit
from app.core.logs import logging_config
from app.core.settings import Settings
from app.core.startup import collection_paused
from app.server.http_protocol import DeadlineHttpProtocol
from app.server.supervisor import HEALTHCHECK_SECONDS, Supervisor, supervisor_socket

if TYPE_CHECKING:
    from fastapi import FastAPI

# uvicorn's exit status for a server that never started serving.
STARTUP_FAILURE = 3


def serve(
    host: str = typer.Option(None, help="Bind address (default: BYLINE_HOST)."),
    port: int = typer.Option(None, help="Port (default: BYLINE_PORT)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Serve the API with uvicorn."""
    # The flags become the settings every worker reads, so the checks on a public bind see the real address.
    for name, value in (("BYLINE_HOST", host), ("BYLINE_PORT", port)):
        if value is not None:
            os.environ[name] = str(value)
    settings = settings_or_exit()
    _print_where_to_go(settings)
    shared = tempfile.mkdtemp(prefix="byline-serve-")
    if workers > 1:
        # Every worker counts its own metrics into this folder, and /metrics sums them. A single worker
        # counts in memory.
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", shared)
    # Where workers tell each other of the content versions they commit.
    os.environ[ANNOUNCE_FILE] = os.path.join(shared, "content-version")
    config = uvicorn.Config(
        "app.serve:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        http=DeadlineHttpProtocol,
        # Byline has no WebSocket route: an upgrade is answered as the plain request it also is, and no
        # worker loads a WebSocket library.
        ws="none",
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level, settings.log_format),
        # In-flight requests get this long to finish on SIGTERM.
        timeout_graceful_shutdown=30,
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        limit_concurrency=settings.max_connections,
        # Idle keep-alive connections go after this; slow headers and bodies have their own deadlines.
        timeout_keep_alive=5,
        # The app logs requests itself, without client addresses; forwarded headers are handled there too.
        access_log=False,
        proxy_headers=False,
    )
    # uvicorn raises a stopping signal again once it has shut down: as an exception here, the folder still goes.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        started: bool | None = _serve(config)
    except Terminated:
        started = None
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    if started is None:
        # Still ended by the signal, as whatever supervises the process expects.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    if not started:
        console.print("[red]The server could not start; see the log above.[/red]")
        raise typer.Exit(STARTUP_FAILURE)


def worker_app() -> "FastAPI":
    """What uvicorn calls in each worker process: the app of `app.main`, which this module imports
    only here so the supervisor never loads it."""
    with collection_paused():
        main = import_module("app.main")
    app: FastAPI = main.create_worker_app()
    return app


def _print_where_to_go(settings: Settings) -> None:
    base = settings.base_url
    if settings.serve_frontend:
        console.print(f"Byline serves its site at [bold]{base}/[/bold]", soft_wrap=True)
    console.print(f"API documentation: [bold]{base}/docs[/bold]", soft_wrap=True)
    # As this command was called, so it can be pasted in the same shell.
    keys = f"{sys.argv[0]} keys create --name editor --scope {Scope.content_write.value}"
    console.print(f"An API key to write with: [bold]{keys}[/bold]", soft_wrap=True)


class Terminated(Exception):
    """SIGTERM arrived."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _serve(config: uvicorn.Config) -> bool:
    """Run until stopped; False if a worker failed to start (uvicorn's supervisor then stops every
    worker but would still exit 0, hiding the failure from whatever restarts the service)."""
    if config.workers == 1:
        server = uvicorn.Server(config)
        server.run()
        return server.started
    supervisor = Supervisor(config, [supervisor_socket(config.host, config.port)], preload=["app.worker_preload"])
    supervisor.run()
    return all(worker.exitcode != STARTUP_FAILURE for worker in supervisor.processes)
