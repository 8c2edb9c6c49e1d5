"""URL slugs: lowercase ASCII words joined by hyphens, transliterated from any script."""

from typing import Annotated

from fastapi import Path
from pydantic import Field
from slugify import slugify as _slugify

SLUG_WORDS = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_PATTERN = f"^{SLUG_WORDS}$"
SLUG_MAX_LENGTH = 200

Slug = Annotated[
    str,
    Path(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH, description="Lowercase words joined by hyphens."),
]

# The same rule for slugs sent in request bodies.
SlugText = Annotated[str, Field(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN)]


def slugify(text: str) -> str:
    """`Ça va, Zürich?` becomes `ca-va-zurich`; text with nothing to transliterate gives ''."""
    return _slugify(text, max_length=SLUG_MAX_LENGTH, word_boundary=True)
