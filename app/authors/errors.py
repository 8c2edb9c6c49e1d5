"""Problems the author routes raise."""

from app.core.errors import ProblemError


class AuthorNotFound(ProblemError):
    """No author has this slug."""

    type_slug = "author-not-found"
    title = "Author not found"
    status = 404
    advice = "Check the slug; the author directory lists every author."


class AuthorSlugTaken(ProblemError):
    """Another author already has this slug."""

    type_slug = "author-slug-taken"
    title = "Author slug already in use"
    status = 409
    advice = "Choose another slug for the author."


class AuthorHasArticles(ProblemError):
    """The author still has bylines; name someone to take them over with `reassign_to`."""

    type_slug = "author-has-articles"
    title = "Author still has articles"
    status = 409
    advice = "Send `reassign_to` with the slug of the author who takes over the bylines."
