"""Wire shapes for sections and tags."""

from pydantic import BaseModel, ConfigDict, Field

from app.patching import patch_of
from app.slugs import SlugText
from app.taxonomy.models import SectionBase, TagBase


class SectionCreate(SectionBase):
    slug: SlugText | None = Field(None, description="Generated from the name when omitted.")


class SectionUpdate(patch_of(SectionCreate)):  # type: ignore[misc]  # fields derived at import, see app/patching.py
    """Only the fields sent change."""


class TagCreate(TagBase):
    slug: SlugText | None = Field(None, description="Generated from the name when omitted.")


class TagUpdate(patch_of(TagCreate)):  # type: ignore[misc]  # fields derived at import, see app/patching.py
    """Only the fields sent change."""


class TermRef(BaseModel):
    """A section or tag as an article shows it."""

    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str


class SectionPublic(TermRef):
    description: str | None
    article_count: int = Field(description="Published articles in this section.")


class TagPublic(TermRef):
    article_count: int = Field(description="Published articles carrying this tag.")

