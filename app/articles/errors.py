"""Problems the article routes and services raise."""

from app.errors import ProblemError


class ArticleNotFound(ProblemError):
    """No visible article has this slug."""

    type_slug = "article-not-found"
    title = "Article not found"
    status = 404


class SlugTaken(ProblemError):
    """Another article already uses the slug asked for."""

    type_slug = "slug-taken"
    title = "Slug already in use"
    status = 409
