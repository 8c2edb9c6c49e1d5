"""What every `byline` command shares: where it tells the operator things, and its settings, read
once as it starts, with a clean exit when the environment gives invalid ones."""

import typer
from pydantic import ValidationError
from rich.console import Console

from app.core.settings import Settings

# Standard error, so a command's own output (JSON, NDJSON, a table) stays clean on standard output.
notes = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as invalid:
        for error in invalid.errors():
            notes.print(f"[red]{error['msg'].removeprefix('Value error, ')}[/red]")
        raise typer.Exit(2) from None
