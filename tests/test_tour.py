"""The shell examples of the README and the documentation, run in order as a newcomer would paste them,
against a fresh demo server: the README's short tour, then the tutorial's, which goes on through the
how-to guides (each uses the variables and keys the tutorial sets).

Every ```sh block is part of the tour (other commands are shown as ```shell or ```console). Each `curl`
answer is checked: a status of 400 or more only where the line says so in its comment (`# 404 ...`),
and a list that comes back empty only where the comment says `empty`.
"""

import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.server import demo_loaded, free_port, running_server

ROOT = Path(__file__).resolve().parents[1]
# The pages whose examples make up the tour, in the order they run.
TOUR = [
    "README.md",
    "docs/tutorial/index.md",
    "docs/how-to/read.md",
    "docs/how-to/related.md",
    "docs/how-to/sync.md",
    "docs/how-to/frontends.md",
    "docs/how-to/write.md",
    "docs/how-to/comments.md",
    "docs/how-to/webhooks.md",
]
DOCUMENTED_BASE = "http://127.0.0.1:8000"

# Records the script line, status and body of every call, then prints the body as curl would.
CURL_RECORDER = r"""
curl() {
  local line=${BASH_LINENO[0]} answer status
  answer=$(command curl "$@" --write-out '\n%{http_code}') || { echo "$line 000" >> "$TOUR_DIR/calls"; return 1; }
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  printf '%s' "$answer" > "$TOUR_DIR/$line.body"
  echo "$line $status" >> "$TOUR_DIR/calls"
  printf '%s\n' "$answer"
}
"""


@dataclass(frozen=True)
class Command:
    where: str  # page and line
    text: str

    @property
    def comment(self) -> str:
        return " ".join(line.partition("#")[2] for line in self.text.splitlines() if " #" in line)

    @property
    def expected_status(self) -> int | None:
        match = re.match(r"\s*(\d{3})\b", self.comment)
        return int(match.group(1)) if match else None


def sh_blocks(page: str) -> list[tuple[int, list[str]]]:
    """The ```sh blocks of a page: the line each starts on and its lines."""
    blocks, current, start = [], None, 0
    for number, line in enumerate((ROOT / page).read_text().splitlines(), start=1):
        if current is None and line.strip() == "```sh":
            current, start = [], number + 1
        elif current is not None and line.startswith("```"):
            blocks.append((start, current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def commands_of(page: str, start: int, lines: list[str]) -> list[tuple[range, Command]]:
    """Each command with the script lines it spans (continued with `\\` or inside an open quote)."""
    commands, pending, first = [], "", 0
    for offset, line in enumerate(lines):
        if not pending:
            first = offset
        pending += line + "\n"
        if line.endswith("\\"):
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:
            continue  # a quote opened on this line closes on a later one
        if pending.strip() and not pending.lstrip().startswith("#"):
            commands.append((range(first, offset + 1), Command(f"{page} line {start + first}", pending)))
        pending = ""
    return commands


def test_every_page_with_examples_is_in_the_tour() -> None:
    pages = ["README.md", *(str(page.relative_to(ROOT)) for page in sorted((ROOT / "docs").rglob("*.md")))]
    assert [page for page in pages if sh_blocks(page) and page not in TOUR] == []


def test_tour_runs_in_order_against_a_fresh_demo(sqlite_url: str, tmp_path: Path) -> None:
    # A fresh database with the demo, as `byline db upgrade` and `byline demo load` leave it (test_cli
    # runs those commands themselves).
    port = free_port()
    demo_loaded(sqlite_url, port=port)
    env = {"BYLINE_DATABASE_URL": sqlite_url, "BYLINE_SECRET_KEY": "tour-" * 8}
    with running_server(env, port=port) as base:
        script, commands_by_line = ["set -euo pipefail", *CURL_RECORDER.strip().splitlines()], {}
        blocks = [(page, start, lines) for page in TOUR for start, lines in sh_blocks(page)]
        for page, start, lines in blocks:
            for span, command in commands_of(page, start, lines):
                for offset in span:
                    commands_by_line[len(script) + 1 + offset] = command
            script.extend(line.replace(DOCUMENTED_BASE, base) for line in lines)
        (tmp_path / "tour.sh").write_text("\n".join(script) + "\n")
        run = subprocess.run(
            ["/bin/bash", str(tmp_path / "tour.sh")],
            cwd=ROOT,
            env=os.environ | env | {"TOUR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert run.returncode == 0, f"the tour stopped:\n{run.stderr[-3000:]}"
    calls = [line.split() for line in (tmp_path / "calls").read_text().splitlines()]
    assert len(calls) >= 60
    wrong = []
    for script_line, status in calls:
        command = commands_by_line[int(script_line)]
        where = f"{command.where}: {command.text.strip()}"
        expected = command.expected_status
        if int(status) != expected if expected else not 200 <= int(status) < 400:
            wrong.append(f"{status} from {where}")
        body = (tmp_path / f"{script_line}.body").read_text()
        if body.startswith("{") and "empty" not in command.comment and json.loads(body).get("data") == []:
            wrong.append(f"nothing found by {where}")
    assert not wrong, "\n".join(wrong)
