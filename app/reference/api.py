"""The API pages: one per tag with each operation's parameters, body, responses and problem types, one
for the schemas they name, and an index; all from the OpenAPI document."""

import json
from collections.abc import Callable
from typing import Any

from app.core.errors import problem_types
from app.reference.markdown import cell, code, count, prose, table

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
SCHEMA_PREFIX = "#/components/schemas/"
# The facts of a schema a reader needs beside its type, in the words used for them.
CONSTRAINTS: dict[str, Callable[[Any], str]] = {
    "minLength": lambda value: f"at least {count(value, 'character')}",
    "maxLength": lambda value: f"at most {count(value, 'character')}",
    "minimum": lambda value: f"at least {value:,}",
    "maximum": lambda value: f"at most {value:,}",
    "exclusiveMinimum": lambda value: f"more than {value:,}",
    "exclusiveMaximum": lambda value: f"less than {value:,}",
    "minItems": lambda value: f"at least {count(value, 'item')}",
    "maxItems": lambda value: f"at most {count(value, 'item')}",
    "pattern": lambda value: f"matching {code(value)}",
}


def schema_link(name: str, page: str) -> str:
    return f"[{name}]({page}#{name.lower()})"


def type_of(schema: dict[str, Any], page: str = "schemas.md") -> str:
    """A schema's type in a few words, with a link for each named schema; `page` is schemas.md as seen
    from the page the words go on."""
    if "$ref" in schema:
        return schema_link(schema["$ref"].removeprefix(SCHEMA_PREFIX), page)
    if "const" in schema:
        return code(json.dumps(schema["const"]))
    if "enum" in schema:
        return "one of " + ", ".join(code(json.dumps(value)) for value in schema["enum"])
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            joiner = " and " if combined == "allOf" else " or "
            return joiner.join(type_of(part, page) for part in schema[combined])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}), page)}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_of(schema['additionalProperties'], page)}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def facts(schema: dict[str, Any]) -> str:
    """Its description, then its bounds and default in brackets."""
    bounds = [wording(schema[key]) for key, wording in CONSTRAINTS.items() if key in schema]
    if "default" in schema:
        bounds.append(f"default {code(json.dumps(schema['default']))}")
    return " ".join(filter(None, [schema.get("description", ""), f"({'; '.join(bounds)})" if bounds else ""]))


def _problem_links(description: str, by_title: dict[str, str]) -> str:
    """Each problem title a response's description names, linked to its type."""
    return "; ".join(
        f"[{title}](../problems.md#{by_title[title]})" if title in by_title else title
        for title in description.split("; ")
    )


def _content(content: dict[str, Any]) -> str:
    return "; ".join(
        f"{code(media_type)}" + (f": {type_of(media['schema'])}" if media.get("schema") else "")
        for media_type, media in content.items()
    )


def _parameters(parameters: list[dict[str, Any]]) -> str:
    rows = (
        (
            code(parameter["name"]),
            parameter["in"],
            type_of(parameter.get("schema", {})),
            "yes" if parameter.get("required") else "no",
            facts({**parameter.get("schema", {}), **parameter}),
        )
        for parameter in parameters
    )
    return "**Parameters**\n\n" + table(("name", "in", "type", "required", "meaning"), rows)


def _response_meaning(response: dict[str, Any], by_title: dict[str, str]) -> str:
    meaning = str(response.get("description", ""))
    if "application/problem+json" in response.get("content", {}):
        meaning = _problem_links(meaning, by_title)
    if headers := response.get("headers"):
        meaning += " (headers: " + ", ".join(code(name) for name in headers) + ")"
    return meaning


def _responses(responses: dict[str, Any], by_title: dict[str, str]) -> str:
    rows = (
        (status, _response_meaning(response, by_title), _content(response.get("content", {})))
        for status, response in responses.items()
    )
    return "**Responses**\n\n" + table(("status", "meaning", "body"), rows)


def _operation(path: str, method: str, operation: dict[str, Any], by_title: dict[str, str]) -> str:
    anchor = operation["operationId"]
    parts = [f"## {operation.get('summary', anchor)} {{#{anchor}}}\n", f"`{method.upper()} {path}`\n"]
    if description := operation.get("description"):
        parts.append(prose(description.strip()) + "\n")
    if "security" in operation:
        ways = [" and ".join(code(name) for name in way) or "anonymous" for way in operation["security"]]
        parts.append(f"Credentials: {' or '.join(ways)}.\n")
    if parameters := operation.get("parameters"):
        parts.append(_parameters(parameters))
    if body := operation.get("requestBody"):
        required = "required" if body.get("required") else "optional"
        parts.append(f"**Request body** ({required}): {_content(body.get('content', {}))}\n")
    parts.append(_responses(operation.get("responses", {}), by_title))
    return "\n".join(parts)


def _schema_section(name: str, schema: dict[str, Any]) -> str:
    section = f"## {name} {{#{name.lower()}}}\n\n"
    if description := schema.get("description"):
        section += prose(description.strip()) + "\n\n"
    properties = schema.get("properties")
    if properties:
        required = set(schema.get("required", []))
        rows = (
            (code(field), type_of(spec, ""), "yes" if field in required else "no", facts(spec))
            for field, spec in properties.items()
        )
        section += table(("field", "type", "required", "meaning"), rows)
    else:
        section += cell(" ".join([type_of(schema, ""), facts(schema)])) + "\n"
    return section


def pages(document: dict[str, Any]) -> dict[str, str]:
    by_title = {kind.title: slug for slug, kind in problem_types().items()}
    tags = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    sections: dict[str, list[str]] = {name: [] for name in tags}
    for path, methods in document["paths"].items():
        for method in METHODS:
            if operation := methods.get(method):
                tag = operation.get("tags", ["meta"])[0]
                sections.setdefault(tag, []).append(_operation(path, method, operation, by_title))
    found = {
        f"reference/api/{tag}.md": f"# {tag}\n\n{tags.get(tag, '')}\n\n" + "\n".join(operations)
        for tag, operations in sections.items()
        if operations
    }
    schemes = document.get("components", {}).get("securitySchemes", {})
    info = document["info"]
    index = [
        f"# The API\n\n{prose(info.get('description', '').strip())}\n",
        f"Version {info['version']}, from `openapi/openapi.json` (OpenAPI {document['openapi']}); a running "
        "server serves the same document at `/openapi.json` and an explorer at `/docs`.\n",
        table(
            ("tag", "what it holds"), ((f"[{tag}]({tag}.md)", tags.get(tag, "")) for tag in sections if sections[tag])
        ),
        "Requests and answers name these [schemas](schemas.md); failures are [problem documents](../problems.md).\n",
        "## Credentials\n",
        table(
            ("name", "how it is sent"),
            ((code(name), scheme.get("description", "")) for name, scheme in schemes.items()),
        ),
    ]
    found["reference/api/index.md"] = "\n".join(index)
    schemas = document.get("components", {}).get("schemas", {})
    found["reference/api/schemas.md"] = (
        "# Schemas\n\nThe shapes of request and response bodies, by name.\n\n"
        + "\n".join(_schema_section(name, schema) for name, schema in sorted(schemas.items()))
    )
    return found
