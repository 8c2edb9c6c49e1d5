"""The command-line page: every `byline` command with its usage, help and options, from the CLI itself."""

import inspect
from collections.abc import Iterator

from typer._click import Command, Context
from typer.core import TyperGroup as Group

from app.reference.markdown import code, table


def _commands(command: Command, context: Context) -> Iterator[tuple[Command, Context]]:
    """The command and each of its subcommands, depth first, in the order `--help` lists them."""
    yield command, context
    if isinstance(command, Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                yield from _commands(sub, Context(sub, info_name=name, parent=context))


def _section(command: Command, context: Context) -> str:
    path = context.command_path
    usage = " ".join([path, *command.collect_usage_pieces(context)])
    text = inspect.cleandoc(command.help or "")
    section = f"## {path} {{#{path.replace(' ', '-')}}}\n\n{text}\n\n```console\n{usage}\n```\n"
    if isinstance(command, Group):
        listed = [
            (f"[{code(f'{path} {name}')}](#{path.replace(' ', '-')}-{name})", sub.get_short_help_str(limit=200))
            for name in command.list_commands(context)
            if (sub := command.get_command(context, name)) is not None and not sub.hidden
        ]
        section += "\n" + table(("command", "what it does"), listed)
    records = [
        record
        for parameter in command.get_params(context)
        if parameter.name != "help" and (record := parameter.get_help_record(context)) is not None
    ]
    if records:
        section += "\n" + table(("option", "meaning"), ((code(names), meaning) for names, meaning in records))
    return section


def page(command: Command) -> str:
    root = Context(command, info_name="byline")
    sections = [_section(sub, context) for sub, context in _commands(command, root)]
    intro = "Every command and option, as `byline --help` lists them; inside the checkout it is `.venv/bin/byline`.\n\n"
    return "# The byline command\n\n" + intro + "\n".join(sections)
