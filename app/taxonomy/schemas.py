"""Wire shapes for sections and tags."""

from pydantic import BaseModel, ConfigDict, Field


class SectionRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str


class TagRef(SectionRef):
    pass


class SectionPublic(SectionRef):
    description: str | None
    article_count: int = Field(description="Published articles in this section.")


class TagPublic(TagRef):
    article_count: int = Field(description="Published articles carrying this tag.")


def section_public(section, article_count: int) -> SectionPublic:
    return SectionPublic(slug=section.slug, name=section.name, description=section.description, article_count=article_count)


def tag_public(tag, article_count: int) -> TagPublic:
    return TagPublic(slug=tag.slug, name=tag.name, article_count=article_count)
