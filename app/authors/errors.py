"""Problems the author routes raise."""

from app.errors import ProblemError


class AuthorNotFound(ProblemError):
    """No author has this slug."""

    type_slug = "author-not-found"
    title = "Author not found"
    status = 404
