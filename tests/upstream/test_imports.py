"""Importing Byline changes no library: only `byline serve` installs its changes to uvicorn, in the
processes that serve."""

import subprocess
import sys

# In a fresh interpreter: every module of these libraries loaded before Byline's, and each of its
# attributes, must be the same objects afterwards. (SQLAlchemy is left out: declaring tables updates
# its own registries.)
PROBE = """
import sys
import uvicorn.protocols.http.httptools_impl, uvicorn.supervisors, fastapi, prometheus_client, pydantic
LIBRARIES = ("uvicorn", "starlette", "fastapi", "prometheus_client", "pydantic", "logging")
def snapshot():
    return {
        name: dict(vars(module))
        for name, module in list(sys.modules.items())
        if name.split(".")[0] in LIBRARIES
    }
before = snapshot()
import app.main, app.cli
after = snapshot()
for name, attributes in before.items():
    for attribute, value in attributes.items():
        if after[name].get(attribute) is not value:
            print(f"{name}.{attribute}")
"""


def test_importing_the_app_and_the_command_changes_no_library() -> None:
    changed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert changed == ""
