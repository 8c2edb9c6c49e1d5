"""Every domain's tables, gathered into the one metadata that Alembic compares against."""

from sqlmodel import SQLModel

from app.articles.models import Article, ArticleAuthor, ArticleTag, Correction
from app.authors.models import Author
from app.taxonomy.models import Section, Tag

metadata = SQLModel.metadata

__all__ = ["Article", "ArticleAuthor", "ArticleTag", "Author", "Correction", "Section", "Tag", "metadata"]
