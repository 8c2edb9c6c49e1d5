import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.models import metadata

MODEL_MODULES = sorted(
    ".".join(path.with_suffix("").parts) for path in Path("app").rglob("models.py") if path.parent.name != "app"
) + ["app.caching.content_version"]

_NAMES_AFTER_IMPORTING = """
import json, sys, importlib
from sqlmodel import SQLModel
importlib.import_module(sys.argv[1])
from app.db.columns import Table
names = {
    table.name: sorted(str(c.name) for c in [*table.constraints, *table.indexes] if c.name is not None)
    for table in Table.metadata.tables.values()
}
print(json.dumps({"names": names, "global_tables": sorted(SQLModel.metadata.tables)}))
"""


def _names(table) -> list[str]:
    return sorted(str(c.name) for c in [*table.constraints, *table.indexes] if c.name is not None)


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_a_models_module_imported_alone_names_every_constraint_as_migrations_do(module):
    run = subprocess.run(
        [sys.executable, "-c", _NAMES_AFTER_IMPORTING, module],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path.cwd(),
    )
    alone = json.loads(run.stdout)
    assert alone["global_tables"] == []
    assert alone["names"] == {name: _names(metadata.tables[name]) for name in alone["names"]}
