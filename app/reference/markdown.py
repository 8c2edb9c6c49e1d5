"""The bits of Markdown the generated pages are written in: prose, tables and their cells."""

import re
from collections.abc import Callable, Iterable, Sequence

# A code span: Markdown shows what is inside one as it is, so nothing in it needs escaping, and tables
# leave its pipes alone.
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    parts, end = [], 0
    for span in CODE_SPAN.finditer(text):
        parts += [change(text[end : span.start()]), span.group()]
        end = span.end()
    return "".join([*parts, change(text[end:])])


def prose(text: str) -> str:
    """Text from the code as Markdown: its `code` spans kept, anything that reads as an HTML tag shown as
    written (a description may speak of `<mark>`)."""
    return _outside_code(text, lambda part: part.replace("<", "&lt;"))


def cell(text: str) -> str:
    """Text that stays in one table cell: one line, its pipes escaped outside code spans."""
    return _outside_code(prose(" ".join(text.split())), lambda part: part.replace("|", "\\|"))


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def code(text: str) -> str:
    """`text` as a code span, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def count(number: int, noun: str) -> str:
    """`1 character`, `2 characters`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
