"""The clients' own suites (clients/typescript with Node's test runner, clients/python with pytest)
against one real server per backend, loaded with the demo newsroom. Both run at once: each is a
process of its own that waits on the server most of the time."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_SECRET
from tests.server import demo_loaded, free_port, running_server

ROOT = Path(__file__).resolve().parents[2]
SUITES = {
    "typescript": (["npm", "test"], ROOT / "clients" / "typescript"),
    # Its own rootdir and conftest (clients/python/pyproject.toml), none of the project's tests.
    "python": ([sys.executable, "-m", "pytest", "-q", "clients/python"], ROOT),
}


def test_both_clients_suites_pass_against_a_live_server(
    database_url: str, editor: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    demo_loaded(database_url, port=port, media_dir=tmp_path / "media")
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_MEDIA_DIR": str(tmp_path / "media"),
    }
    with running_server(env, port=port) as base:
        # Only what the suites read: no BYLINE_ setting of this process reaches them.
        clean = {name: value for name, value in os.environ.items() if not name.startswith(("BYLINE_", "PYTEST_"))}
        key = editor["Authorization"].removeprefix("Bearer ")
        # The client's suite needs none of the plugins installed for the project's (a second of start-up).
        suite_env = clean | {"BYLINE_URL": base, "BYLINE_EDITOR_KEY": key, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        running = {
            name: subprocess.Popen(
                command, cwd=cwd, env=suite_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for name, (command, cwd) in SUITES.items()
        }
        outputs = {name: process.communicate(timeout=120)[0] for name, process in running.items()}
    failed = {name: outputs[name] for name, process in running.items() if process.returncode != 0}
    assert not failed, "\n\n".join(
        f"{name} client's suite failed:\n{output[-4000:]}" for name, output in failed.items()
    )
    # Node's runner, unlike pytest, passes when it finds no test.
    assert int(re.search(r"^# pass (\d+)$", outputs["typescript"], re.MULTILINE)[1]) > 0, outputs["typescript"]
