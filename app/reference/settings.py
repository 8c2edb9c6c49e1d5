"""The settings page: every BYLINE_* variable with its type, default and description, from `Settings`."""

import types
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AnyHttpUrl, SecretStr
from pydantic.fields import FieldInfo

from app.core.settings import Settings
from app.reference.markdown import code, count, prose

NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", AnyHttpUrl: "URL", SecretStr: "secret"}
BOUNDS: dict[type, tuple[str, Callable[[Any], str]]] = {
    annotated_types.Ge: ("ge", lambda value: f"at least {value:,}"),
    annotated_types.Gt: ("gt", lambda value: f"more than {value:,}"),
    annotated_types.Le: ("le", lambda value: f"at most {value:,}"),
    annotated_types.Lt: ("lt", lambda value: f"less than {value:,}"),
    annotated_types.MinLen: ("min_length", lambda value: f"at least {count(value, 'character')}"),
    annotated_types.MaxLen: ("max_length", lambda value: f"at most {count(value, 'character')}"),
}


def type_name(annotation: Any) -> str:
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(code(str(value)) for value in arguments)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(argument) for argument in arguments if argument is not type(None))
    if origin is list:
        return f"list of {type_name(arguments[0])}"
    if arguments and hasattr(annotation, "__metadata__"):  # Annotated
        return type_name(arguments[0])
    return NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(field: FieldInfo) -> str:
    default = field.default
    if default is None:
        return "unset"
    if isinstance(default, SecretStr):
        return "a development value, refused beyond loopback"
    if isinstance(default, bool):
        return code(str(default).lower())
    if isinstance(default, list):
        return code("[]") if not default else code(", ".join(map(str, default)))
    return code(str(default))


def limits(field: FieldInfo) -> list[str]:
    found = []
    for rule in field.metadata:
        for kind, (attribute, wording) in BOUNDS.items():
            if isinstance(rule, kind):
                found.append(wording(getattr(rule, attribute)))
        if pattern := getattr(rule, "pattern", None):
            found.append(f"matching {code(pattern)}")
    return found


def page() -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    parts = [
        "# Settings\n",
        f"Byline reads its settings from environment variables named `{prefix}<NAME>`, or from a `.env` "
        'file in the working directory. Lists are written as JSON (`["a", "b"]`) unless their entry '
        "says otherwise. Byline refuses to start, naming the variable, when a value is out of bounds.\n",
    ]
    for name, field in Settings.model_fields.items():
        variable = f"{prefix}{name}".upper()
        facts = [f"type: {type_name(field.annotation)}", f"default: {default_text(field)}", *limits(field)]
        meaning = prose(field.description or "")
        parts.append(f"## {variable} {{#{variable.lower()}}}\n\n{meaning}\n\n{'; '.join(facts)}.\n")
    return "\n".join(parts)
