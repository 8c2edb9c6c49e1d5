"""Problems the section and tag routes raise."""

from app.core.errors import ProblemError


class SectionNotFound(ProblemError):
    """No section has this slug."""

    type_slug = "section-not-found"
    title = "Section not found"
    status = 404
    advice = "Check the slug; the list of sections has every one."


class TagNotFound(ProblemError):
    """No tag with published articles has this slug."""

    type_slug = "tag-not-found"
    title = "Tag not found"
    status = 404
    advice = "Check the slug; a tag is listed once it has a published article."


class TaxonomySlugTaken(ProblemError):
    """Another section or tag already has this slug."""

    type_slug = "taxonomy-slug-taken"
    title = "Slug already in use"
    status = 409
    advice = "Choose another slug."


class SectionHasArticles(ProblemError):
    """Articles still belong to the section; name another with `reassign_to`."""

    type_slug = "section-has-articles"
    title = "Section still has articles"
    status = 409
    advice = "Send `reassign_to` with the slug of the section the articles move to."
