"""Problems the collection routes raise."""

from app.core.errors import ProblemError
from app.web.conditional import PreconditionFailed


class CollectionNotFound(ProblemError):
    """No collection has this slug."""

    type_slug = "collection-not-found"
    title = "Collection not found"
    status = 404
    advice = "Check the slug; the list of collections has every one."


class CollectionSlugTaken(ProblemError):
    """Another collection already has this slug."""

    type_slug = "collection-slug-taken"
    title = "Collection slug already in use"
    status = 409
    advice = "Choose another slug, or remove the collection that has it."


class CollectionInUse(ProblemError):
    """Sections name the collection as their editors' picks."""

    type_slug = "collection-in-use"
    title = "Collection in use"
    status = 409
    advice = "Point the sections `sections` names at another collection (or none) first."


class CollectionExists(PreconditionFailed):
    """A create-only write (`If-None-Match: *`) named a slug a collection already has."""

    type_slug = "collection-exists"
    title = "Collection already exists"
    advice = "Choose another slug, or read the collection and send your order with its ETag in `If-Match`."
