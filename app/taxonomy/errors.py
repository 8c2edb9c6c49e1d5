"""Problems the section and tag routes raise."""

from app.errors import ProblemError


class SectionNotFound(ProblemError):
    """No section has this slug."""

    type_slug = "section-not-found"
    title = "Section not found"
    status = 404


class TagNotFound(ProblemError):
    """No tag has this slug."""

    type_slug = "tag-not-found"
    title = "Tag not found"
    status = 404
