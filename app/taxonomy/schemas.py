"""Wire shapes for sections and tags."""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from app.caching import keys
from app.core.patching import patch_of
from app.core.slugs import SlugText
from app.taxonomy.models import Section, SectionBase, Tag, TagBase


class SectionCreate(SectionBase):
    slug: SlugText | None = Field(None, description="Generated from the name when left out on creation.")


class SectionUpdate(patch_of(SectionCreate)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change."""


class TagCreate(TagBase):
    slug: SlugText | None = Field(None, description="Generated from the name when left out on creation.")


class TagUpdate(patch_of(TagCreate)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change."""


class TermRef(BaseModel):
    """A section or tag as an article shows it."""

    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str


class SectionPublic(TermRef):
    description: str | None
    editors_picks: str | None = Field(description="Slug of the collection of the section's editors' picks.")
    article_count: int = Field(description="Published articles in this section.")

    def surrogate_keys(self) -> set[str]:
        return {keys.section(self.slug), keys.SECTIONS}

    @classmethod
    def from_row(cls, section: Section, article_counts: Mapping[int, int]) -> "SectionPublic":
        """The section as shown, with its count from `article_counts` (published articles per section id)."""
        return cls(
            slug=section.slug,
            name=section.name,
            description=section.description,
            editors_picks=section.editors_picks,
            article_count=article_counts.get(section.id, 0),
        )


class TagPublic(TermRef):
    article_count: int = Field(description="Published articles carrying this tag.")

    def surrogate_keys(self) -> set[str]:
        return {keys.tag(self.slug), keys.TAGS}

    @classmethod
    def from_row(cls, tag: Tag, article_counts: Mapping[int, int]) -> "TagPublic":
        """The tag as shown, with its count from `article_counts` (published articles per tag id)."""
        return cls(slug=tag.slug, name=tag.name, article_count=article_counts.get(tag.id, 0))
