"""PATCH bodies: only the fields sent change, null clears only what may be empty; most are derived
from create bodies, with the same fields and constraints, each optional."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model


class Patch(BaseModel):
    # A misspelt field is an error instead of a silent no-op.
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """The fields sent, and their values."""
        return self.model_dump(exclude_unset=True)


def patch_of(model: type[BaseModel]) -> type[Patch]:
    """A Patch with every field of `model`, each defaulting to None so it may be left out. A field
    `model` lets be null may be sent as null to clear it; the others are refused as null, as there."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        field = info.asdict()
        # The constraints stay with the type, as in `model`, and every other setting but the default.
        annotation: Any = field["annotation"]
        if field["metadata"]:
            annotation = Annotated[annotation, *field["metadata"]]
        fields[name] = (annotation, Field(**(field["attributes"] | {"default": None, "default_factory": None})))
    return create_model(f"{model.__name__}Patch", __base__=Patch, **fields)
