"""The committed document as a TypeScript client sees it: openapi-typescript (installed by
scripts/node.sh) must type every documented body, and every schema a body names, as more than `unknown`."""

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "openapi.json"
GENERATOR = ROOT / "tests" / "typescript" / "node_modules" / ".bin" / "openapi-typescript"

CONTENT = re.compile(r"^(?P<indent> *)content\??: \{$")
OPERATION = re.compile(r'^    "?(?P<name>[\w-]+)"?: \{$')
REQUEST = re.compile(r"^ {8}requestBody\??: \{$")
STATUS = re.compile(r"^ {12}(?P<status>\d{3}|default): \{$")
SCHEMA = re.compile(r"^ {8}(?P<name>\w+): (?P<start>.*)$")
NAMED = re.compile(r'components\["schemas"\]\["(\w+)"\]')
# Maps of free-form JSON (`{[key: string]: unknown}`) are typed; a value that is only `unknown` is not.
UNTYPED = re.compile(r"(?<!\]: )\bunknown\b")


def typescript_of(document: Path, tmp_path: Path) -> str:
    assert GENERATOR.exists(), "run scripts/node.sh to install openapi-typescript"
    output = tmp_path / "openapi.d.ts"
    # Empty objects as `unknown` too: `Record<string, never>` would hide an object schema with no properties.
    subprocess.run(
        [str(GENERATOR), str(document), "--output", str(output), "--empty-objects-unknown"],
        check=True,
        capture_output=True,
    )
    return output.read_text()


def _code(lines: list[str]) -> str:
    """The lines without their doc comments, whose prose may say "unknown"."""
    return "\n".join(line for line in lines if not line.lstrip().startswith(("/**", "*")))


def _schemas(lines: list[str]) -> dict[str, str]:
    """Each named schema of `components` and its type."""
    start = lines.index("export interface components {") + 2  # past `schemas: {`
    schemas: dict[str, list[str]] = {}
    for line in lines[start:]:
        if line == "    };":
            break
        named = SCHEMA.match(line)
        if named:
            schemas[named["name"]] = [named["start"]]
        elif schemas:
            schemas[list(schemas)[-1]].append(line)
    return {name: _code(body) for name, body in schemas.items()}


def _bodies(lines: list[str]) -> list[tuple[str, str]]:
    """Each documented request and response body of `operations`: where it is, and its type."""
    start = lines.index("export interface operations {")
    bodies: list[tuple[str, str]] = []
    operation = status = ""
    block: list[str] | None = None
    indent = ""
    for line in lines[start + 1 :]:
        if block is not None:
            if line == f"{indent}}};":
                entries = re.split(rf'^{indent}    "', _code(block), flags=re.MULTILINE)
                for entry in filter(None, entries):
                    media_type, _, shape = entry.partition('": ')
                    bodies.append((f"{operation} {status} {media_type}", shape))
                block = None
            else:
                block.append(line)
            continue
        if named := OPERATION.match(line):
            operation = named["name"]
        elif REQUEST.match(line):
            status = "request"
        elif code := STATUS.match(line):
            status = code["status"]
        elif opened := CONTENT.match(line):
            indent, block = opened["indent"], []
    return bodies


def untyped_bodies(typescript: str) -> list[str]:
    """Each body, and each schema it names however deep, that a client would have to take as `unknown`."""
    lines = typescript.splitlines()
    schemas = _schemas(lines)
    untyped = []
    for where, shape in _bodies(lines):
        if UNTYPED.search(shape):
            untyped.append(where)
        seen: set[str] = set()
        named = NAMED.findall(shape)
        while named:
            name = named.pop()
            if name in seen:
                continue
            seen.add(name)
            if UNTYPED.search(schemas[name]):
                untyped.append(f"{where}: {name}")
            named += NAMED.findall(schemas[name])
    return untyped


def test_every_documented_body_has_a_type(tmp_path):
    assert untyped_bodies(typescript_of(COMMITTED, tmp_path)) == []


def test_an_untyped_body_or_schema_is_found(tmp_path):
    """The check above can fail: an empty body, and an empty schema named two levels down."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a-get",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outer"}}},
                        },
                        "404": {"description": "missing", "content": {"application/problem+json": {}}},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Outer": {
                    "type": "object",
                    "properties": {"inner": {"$ref": "#/components/schemas/Inner"}, "map": {"type": "object"}},
                },
                "Inner": {"type": "object", "properties": {"page": {"$ref": "#/components/schemas/Empty"}}},
                "Empty": {},
            }
        },
    }
    path = tmp_path / "document.json"
    path.write_text(json.dumps(document))
    assert sorted(untyped_bodies(typescript_of(path, tmp_path))) == [
        "a-get 200 application/json: Empty",
        "a-get 200 application/json: Outer",
        "a-get 404 application/problem+json",
    ]
