"""Wire shapes for authors."""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from app.authors.models import Author, AuthorBase
from app.caching import keys
from app.core.patching import patch_of
from app.core.slugs import SlugText
from app.core.weburl import WebUrl


class AuthorLink(BaseModel):
    label: str = Field(min_length=1, max_length=60, examples=["Website"])
    url: WebUrl


class AuthorCreate(AuthorBase):
    slug: SlugText | None = Field(None, description="Generated from the name when left out on creation.")
    links: list[AuthorLink] = Field(default_factory=list, max_length=20)


class AuthorUpdate(patch_of(AuthorCreate)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change."""


class AuthorSummary(BaseModel):
    """The author box under an article: enough to render it without another request."""

    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    role: str | None
    bio: str | None
    avatar_url: str | None

    def surrogate_keys(self) -> set[str]:
        return {keys.author(self.slug), keys.AUTHORS}


class AuthorPublic(AuthorSummary):
    links: list[AuthorLink]
    article_count: int = Field(description="Published articles carrying this author's byline.")

    @classmethod
    def from_row(cls, author: Author, article_counts: Mapping[int, int]) -> "AuthorPublic":
        """The author as shown, with their count from `article_counts` (published articles per author id)."""
        return cls.model_validate(
            {
                **AuthorSummary.model_validate(author).model_dump(),
                "links": author.links,
                "article_count": article_counts.get(author.id, 0),
            }
        )
