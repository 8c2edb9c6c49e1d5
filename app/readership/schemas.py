"""Wire shapes of most read."""

from typing import Literal

from pydantic import BaseModel, Field

from app.articles.schemas import ArticleSummary

Window = Literal["1h", "24h", "7d"]
MOST_READ = "most-read"


class MostReadEntry(BaseModel):
    article: ArticleSummary
    views: int | None = Field(description="Null unless the site publishes counts (BYLINE_MOST_READ_PUBLIC_COUNTS).")


class MostRead(BaseModel):
    window: Window
    section: str | None
    data: list[MostReadEntry] = Field(description="Most read first.")

    def surrogate_keys(self) -> set[str]:
        shown = {MOST_READ}
        for entry in self.data:
            shown |= entry.article.surrogate_keys()
        return shown
