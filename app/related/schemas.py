"""Wire shapes for related articles."""

from pydantic import BaseModel, Field

from app.articles.schemas import ArticleSummary
from app.core.slugs import SlugText


class RelatedArticle(ArticleSummary):
    score: float = Field(description="Higher is closer; pinned articles score 1.")
    reasons: list[str] = Field(description='Why it was chosen, e.g. "shared tags: Russia, Terrorism".')
    pinned: bool = Field(description="Placed by an editor.")


class RelatedList(BaseModel):
    data: list[RelatedArticle]


class RelatedPins(BaseModel):
    slugs: list[SlugText] = Field(
        max_length=20, description="Articles to show first, in this order; [] removes all pins."
    )


class PinnedArticles(BaseModel):
    data: list[ArticleSummary] = Field(description="The pinned articles, in the editors' order.")
