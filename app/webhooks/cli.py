"""`byline webhooks`: add, list, remove and test webhook endpoints."""

from datetime import UTC, datetime

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app.core.command_line import settings_or_exit
from app.core.errors import ProblemError
from app.core.settings import Settings
from app.db.engines import build_engine
from app.webhooks import service
from app.webhooks.events import WebhookEvent
from app.webhooks.schemas import WebhookCreate

webhooks = typer.Typer(help="Webhook endpoints that receive signed events.", no_args_is_help=True)
console = Console()


def _session(settings: Settings) -> Session:
    return Session(build_engine(settings.database_url), expire_on_commit=False)


@webhooks.command("add")
def add(
    url: str = typer.Argument(..., help="Where events are POSTed (http or https)."),
    event: list[WebhookEvent] = typer.Option(..., "--events", "--event", help="Repeat for several events."),
    description: str = typer.Option("", help="A note for whoever reads the list."),
) -> None:
    """Register an endpoint and print its signing secret once; it is not shown again."""
    try:
        data = WebhookCreate.model_validate({"url": url, "events": event, "description": description})
    except ValidationError as invalid:
        for error in invalid.errors():
            console.print(f"[red]{'.'.join(str(part) for part in error['loc'])}: {error['msg']}[/red]")
        raise typer.Exit(2) from None
    settings = settings_or_exit()
    with _session(settings) as session:
        try:
            endpoint = service.add_endpoint(session, data, now=datetime.now(UTC), destinations=settings.destinations)
        except ProblemError as refused:
            console.print(f"[red]url: {refused.detail}[/red]")
            raise typer.Exit(2) from None
    console.print(
        f"Endpoint [bold]{endpoint.id}[/bold] for {', '.join(endpoint.events)}. "
        "Store its signing secret now; it is not shown again:"
    )
    typer.echo(endpoint.secret)


@webhooks.command("list")
def list_() -> None:
    """List endpoints with the events they receive."""
    with _session(settings_or_exit()) as session:
        rows, _, _ = service.list_endpoints(session, limit=1000, cursor=None)
    table = Table("id", "url", "events", "description", "created")
    for column in table.columns:
        column.no_wrap = True
    for endpoint in rows:
        table.add_row(
            str(endpoint.id),
            endpoint.url,
            "\n".join(endpoint.events),
            endpoint.description,
            f"{endpoint.created_at:%Y-%m-%d}",
        )
    console.print(table)


@webhooks.command("remove")
def remove(endpoint_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Remove an endpoint with its pending deliveries and its log."""
    with _session(settings_or_exit()) as session:
        try:
            service.remove_endpoint(session, endpoint_id)
        except ProblemError as problem:
            console.print(f"[red]{problem.detail}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Endpoint [bold]{endpoint_id}[/bold] removed.")


@webhooks.command("test")
def test(endpoint_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Queue a webhook.ping event for an endpoint; a running worker delivers it."""
    with _session(settings_or_exit()) as session:
        try:
            event_id = service.queue_ping(session, endpoint_id, now=datetime.now(UTC))
        except ProblemError as problem:
            console.print(f"[red]{problem.detail}[/red]")
            raise typer.Exit(1) from None
    console.print(
        f"Ping queued for endpoint [bold]{endpoint_id}[/bold] as event {event_id} (webhook-id msg_{event_id})."
    )
