"""The clients' generated code is what the committed OpenAPI document gives, and the TypeScript client
type-checks against it: a change to the API that breaks a client fails here (mypy checks the Python
client's code against its models)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT = ROOT / "clients" / "typescript"
GENERATED = {
    "schema.d.ts": TYPESCRIPT / "src" / "schema.d.ts",
    "models.py": ROOT / "clients" / "python" / "src" / "byline_client" / "models.py",
}


def test_generated_code_matches_the_document(tmp_path: Path) -> None:
    generated = subprocess.run([str(ROOT / "scripts" / "clients.sh"), str(tmp_path)], capture_output=True, text=True)
    assert generated.returncode == 0, f"scripts/clients.sh (after scripts/node.sh) failed:\n{generated.stderr}"
    stale = [
        str(path.relative_to(ROOT))
        for name, path in GENERATED.items()
        if (tmp_path / name).read_text() != path.read_text()
    ]
    assert not stale, f"{stale} differ from what openapi/openapi.json gives: run `make clients`"


def test_typescript_client_type_checks() -> None:
    check = subprocess.run(
        [str(TYPESCRIPT / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(TYPESCRIPT)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
