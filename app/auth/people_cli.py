"""`byline users`: create, list and deactivate the newsroom's accounts."""

import sys
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app.auth import users as service
from app.auth.passwords import passwords
from app.auth.roles import Role
from app.core.command_line import settings_or_exit
from app.core.errors import ProblemError
from app.db.engines import build_engine

users = typer.Typer(help="Newsroom accounts that sign in from a browser.", no_args_is_help=True)
console = Console()
notes = Console(stderr=True)


@users.command("create")
def create(
    email: str,
    name: str = typer.Option(..., help="The person's name, as colleagues know it."),
    role: Role = typer.Option(..., help="contributor, editor, moderator or admin."),
    section: list[str] = typer.Option([], help="A section slug the person may write in; repeat. None: every section."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input, so it stays out of the shell history."
    ),
) -> None:
    """Create an account; the password is read from standard input and only its Argon2id hash is stored."""
    if not password_stdin:
        notes.print("[red]Pass --password-stdin and send the password on standard input.[/red]")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 12:
        notes.print("[red]The password needs at least 12 characters.[/red]")
        raise typer.Exit(1)
    settings = settings_or_exit()
    with Session(build_engine(settings.database_url), expire_on_commit=False) as session:
        try:
            user = service.create_user(
                session,
                email=email,
                name=name,
                role=role,
                sections=section,
                password=password,
                passwords=passwords(settings),
                now=datetime.now(UTC),
            )
        except ProblemError as problem:
            notes.print(f"[red]{problem.detail}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Account [bold]{user.email}[/bold] created as {user.role}.")


@users.command("list")
def list_() -> None:
    """List accounts with their role, sections and whether they may sign in."""
    settings = settings_or_exit()
    with Session(build_engine(settings.database_url)) as session:
        rows = service.list_users(session)
    table = Table("email", "name", "role", "sections", "active", "created")
    for user in rows:
        table.add_row(
            user.email,
            user.name,
            user.role,
            ", ".join(user.sections) or "all",
            "yes" if user.is_active else "no",
            f"{user.created_at:%Y-%m-%d}",
        )
    console.print(table)


@users.command("deactivate")
def deactivate(email: str) -> None:
    """Refuse the account's sign-ins from now on and end its sessions at once."""
    settings = settings_or_exit()
    with Session(build_engine(settings.database_url), expire_on_commit=False) as session:
        try:
            user = service.deactivate_user(session, email, now=datetime.now(UTC))
        except ProblemError as problem:
            notes.print(f"[red]{problem.detail}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Account [bold]{user.email}[/bold] deactivated; its sessions have ended.")
