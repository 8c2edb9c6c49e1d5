"""PATCH bodies: only the fields sent change, null clears only what may be empty; most are derived
from create bodies, with the same fields and constraints, each optional."""

import types
from typing import Any, ClassVar, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, create_model
from pydantic.fields import FieldInfo

from app.errors import InvalidField


class Patch(BaseModel):
    # A misspelt field is an error instead of a silent no-op.
    model_config = ConfigDict(extra="forbid")

    # Fields a client may leave out but never set to null.
    not_nullable: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """The fields sent and their values; 422 naming the first that was set to null but may not be."""
        sent = self.model_dump(exclude_unset=True)
        for name in sorted(self.not_nullable & sent.keys()):
            if sent[name] is None:
                raise InvalidField(f"#/{name}", f"{name} cannot be null.")
        return sent


def _admits_none(annotation: Any) -> bool:
    return annotation is None or (
        get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)
    )


def patch_of(model: type[BaseModel]) -> type[Patch]:
    """A Patch whose every field is `model`'s, optional and defaulting to None; a field `model`
    requires a value for may be left out but not nulled. Subclass it to name the PATCH body."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        optional = FieldInfo.merge_field_infos(info, default=None)
        optional.default_factory = None
        fields[name] = (Optional[info.annotation], optional)  # noqa: UP045 - the annotation is a runtime value
    patch = create_model(f"{model.__name__}Patch", __base__=Patch, **fields)
    patch.not_nullable = frozenset(
        name for name, info in model.model_fields.items() if not _admits_none(info.annotation)
    )
    return patch
