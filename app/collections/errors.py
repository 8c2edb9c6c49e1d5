"""Problems the collection routes raise."""

from app.core.errors import ProblemError


class CollectionNotFound(ProblemError):
    """No collection has this slug."""

    type_slug = "collection-not-found"
    title = "Collection not found"
    status = 404
    advice = "Check the slug; the list of collections has every one."
