"""PATCH bodies derived from create bodies: the same fields and constraints, each optional."""

import types
from typing import Any, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, create_model
from pydantic.fields import FieldInfo

from app.errors import InvalidField


def patch_of(model: type[BaseModel]) -> type[BaseModel]:
    """A model whose every field is `model`'s, optional and defaulting to None.

    Subclass it to name the PATCH body; `model_fields_set` then tells what a client sent.
    Unknown fields are refused, so a misspelt field is an error instead of a silent no-op.
    """
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        optional = FieldInfo.merge_field_infos(info, default=None)
        optional.default_factory = None
        fields[name] = (Optional[info.annotation], optional)  # noqa: UP045 - the annotation is a runtime value
    return create_model(f"{model.__name__}Patch", __config__=ConfigDict(extra="forbid"), **fields)


def _admits_none(annotation: Any) -> bool:
    return annotation is None or (
        get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)
    )


def not_nullable(model: type[BaseModel]) -> frozenset[str]:
    """The fields a client may leave out of a PATCH but never set to null."""
    return frozenset(name for name, info in model.model_fields.items() if not _admits_none(info.annotation))


def refuse_nulls(changes: dict[str, Any], fields: frozenset[str]) -> None:
    """422 naming the first of `fields` that a PATCH set to null."""
    for name in fields & changes.keys():
        if changes[name] is None:
            raise InvalidField(f"#/{name}", f"{name} cannot be null.")
