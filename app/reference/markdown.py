"""The bits of Markdown the generated pages are written in: tables and their cells."""

import re
from collections.abc import Iterable, Sequence

# A code span: tables leave pipes inside one alone, and an escape there would show.
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


def cell(text: str) -> str:
    """Text that stays in one table cell: one line, its pipes escaped outside code spans."""
    line, escaped, end = " ".join(text.split()), [], 0
    for span in CODE_SPAN.finditer(line):
        escaped += [line[end : span.start()].replace("|", "\\|"), span.group()]
        end = span.end()
    return "".join([*escaped, line[end:].replace("|", "\\|")])


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def code(text: str) -> str:
    """`text` as a code span, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
