"""`byline keys`: create, list and revoke API keys."""

from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app.auth import service, users
from app.auth.errors import UserNotFound
from app.auth.models import Scope
from app.core.command_line import settings_or_exit
from app.core.errors import ProblemError
from app.core.settings import Settings
from app.db.engines import build_engine

keys = typer.Typer(help="API keys for editors, ingestion scripts and partners.", no_args_is_help=True)
console = Console()
# Notes go to standard error, so `KEY=$(byline keys create ...)` captures the key alone.
notes = Console(stderr=True)


def _session() -> tuple[Session, Settings]:
    settings = settings_or_exit()
    return Session(build_engine(settings.database_url), expire_on_commit=False), settings


@keys.command("create")
def create(
    name: str = typer.Option(..., help="A unique name; revisions record it as the author of changes."),
    scope: list[Scope] = typer.Option(..., help="Repeat for several scopes."),
    expires_in_days: int | None = typer.Option(None, min=1, help="Expire the key after this many days."),
    owner: str | None = typer.Option(
        None, help="The email of the person the key acts for, within their role; none: a service account."
    ),
) -> None:
    """Create a key and print it once; only its hash is stored."""
    session, settings = _session()
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        person = users.find_user(session, owner) if owner else None
        if owner and person is None:
            raise UserNotFound(f"No account has the email '{owner}'.")
        key, plain = service.issue_key(
            session,
            secret_key=settings.secret_key.get_secret_value(),
            name=name,
            scopes=scope,
            now=now,
            expires_at=expires_at,
            owner_id=person.id if person else None,
        )
    except ProblemError as problem:
        notes.print(f"[red]{problem.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        session.close()
    notes.print(
        f"Key [bold]{key.name}[/bold] with scopes {', '.join(key.scopes)}. Store it now; it is not shown again:"
    )
    typer.echo(plain)


@keys.command("list")
def list_() -> None:
    """List keys with their scopes and when they were last used."""
    session, _ = _session()
    with session:
        rows = service.list_keys(session)
        owners = {user.id: user.email for user in users.list_users(session)}
    table = Table("name", "owner", "scopes", "created", "expires", "last used", "revoked")
    for column in table.columns:
        column.no_wrap = True
    for key in rows:
        table.add_row(
            key.name,
            owners[key.owner_id] if key.owner_id else "service",
            "\n".join(key.scopes),
            *(f"{t:%Y-%m-%d}" if t else "" for t in (key.created_at, key.expires_at, key.last_used_at, key.revoked_at)),
        )
    console.print(table)


@keys.command("revoke")
def revoke(name: str) -> None:
    """Revoke a key at once; requests with it get 401 from then on."""
    session, _ = _session()
    with session:
        try:
            service.revoke_key(session, name, now=datetime.now(UTC))
        except ProblemError as problem:
            console.print(f"[red]{problem.detail}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Key [bold]{name}[/bold] revoked.")
