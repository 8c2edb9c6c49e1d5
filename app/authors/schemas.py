"""Wire shapes for authors."""

from pydantic import BaseModel, ConfigDict, Field

from app.authors.models import Author, AuthorBase
from app.slugs import SlugText
from app.weburl import WebUrl


class AuthorLink(BaseModel):
    label: str = Field(min_length=1, max_length=60, examples=["Website"])
    url: WebUrl


class AuthorCreate(AuthorBase):
    slug: SlugText | None = Field(None, description="Generated from the name when omitted.")
    links: list[AuthorLink] = Field(default_factory=list, max_length=20)


class AuthorUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    slug: SlugText | None = None
    role: str | None = Field(None, max_length=120)
    bio: str | None = Field(None, max_length=4000)
    avatar_url: WebUrl | None = None
    links: list[AuthorLink] | None = Field(None, max_length=20)


class AuthorSummary(BaseModel):
    """The author box under an article: enough to render it without another request."""

    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    role: str | None
    bio: str | None
    avatar_url: str | None


class AuthorPublic(AuthorSummary):
    links: list[AuthorLink]
    article_count: int = Field(description="Published articles carrying this author's byline.")

    @classmethod
    def from_author(cls, author: Author, article_count: int) -> "AuthorPublic":
        return cls.model_validate(
            {**AuthorSummary.model_validate(author).model_dump(), "links": author.links, "article_count": article_count}
        )
