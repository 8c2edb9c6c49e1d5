"""Wire shapes for sections and tags."""

from pydantic import BaseModel, ConfigDict, Field

from app.slugs import SlugText
from app.taxonomy.models import SectionBase, TagBase


class SectionCreate(SectionBase):
    slug: SlugText | None = Field(None, description="Generated from the name when omitted.")


class SectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    slug: SlugText | None = None
    description: str | None = Field(None, max_length=2000)


class TagCreate(TagBase):
    slug: SlugText | None = Field(None, description="Generated from the name when omitted.")


class TagUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    slug: SlugText | None = None


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

