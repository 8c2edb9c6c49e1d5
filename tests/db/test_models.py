import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.models import metadata

MODEL_MODULES = sorted(
    ".".join(path.with_suffix("").parts) for path in Path("app").rglob("models.py") if path.parent.name != "app"
) + ["app.caching.content_version"]

# Each module is imported alone, in a fork of one process that has loaded only the libraries: a
# process of its own for each took a second apiece, nearly all of it importing SQLAlchemy again.
_NAMES_AFTER_IMPORTING_EACH = """
import json, os, sys, importlib
from sqlmodel import SQLModel
import sqlalchemy.orm
for module in sys.argv[1:]:
    sys.stdout.flush()
    if os.fork() == 0:
        importlib.import_module(module)
        from app.db.columns import Table
        names = {
            table.name: sorted(str(c.name) for c in [*table.constraints, *table.indexes] if c.name is not None)
            for table in Table.metadata.tables.values()
        }
        print(json.dumps({"module": module, "names": names, "global_tables": sorted(SQLModel.metadata.tables)}))
        sys.stdout.flush()
        os._exit(0)
    _, status = os.wait()
    assert status == 0, (module, status)
"""


@pytest.fixture(scope="module")
def imported_alone() -> dict[str, dict]:
    run = subprocess.run(
        [sys.executable, "-c", _NAMES_AFTER_IMPORTING_EACH, *MODEL_MODULES],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path.cwd(),
    )
    found = [json.loads(line) for line in run.stdout.splitlines()]
    return {each["module"]: each for each in found}


def _names(table) -> list[str]:
    return sorted(str(c.name) for c in [*table.constraints, *table.indexes] if c.name is not None)


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_a_models_module_imported_alone_names_every_constraint_as_migrations_do(module, imported_alone):
    alone = imported_alone[module]
    assert alone["global_tables"] == []
    assert alone["names"] == {name: _names(metadata.tables[name]) for name in alone["names"]}
