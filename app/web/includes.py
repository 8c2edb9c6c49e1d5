"""`include=a,b`: the parts a client asks to have embedded in one answer."""

from enum import StrEnum
from typing import TypeVar

from app.core.errors import InvalidParameter

Part = TypeVar("Part", bound=StrEnum)


def included_parts(given: str | None, parts: type[Part]) -> frozenset[Part]:
    """The parts named in `given`, comma-separated; a name that is not one is a 422 naming `include`."""
    if given is None:
        return frozenset()
    named = [part.strip() for part in given.split(",")]
    unknown = [part for part in named if part not in parts.__members__]
    if unknown:
        raise InvalidParameter(
            "include", f"Cannot include {', '.join(map(repr, unknown))}; choose from {', '.join(parts)}."
        )
    return frozenset(parts(part) for part in named)
