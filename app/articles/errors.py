"""Problems the article routes and services raise."""

from fastapi import Request

from app.core.errors import ProblemError
from app.web.state import app_state


class ArticleNotFound(ProblemError):
    """No article the caller may read has this slug."""

    type_slug = "article-not-found"
    title = "Article not found"
    status = 404
    advice = (
        "Check the slug. Drafts, scheduled and embargoed articles are readable only with a key of the "
        "matching scope or a preview token."
    )

    @classmethod
    def for_slug(cls, slug: str) -> "ArticleNotFound":
        return cls(f"No article you may read has the slug '{slug}'.", slug=slug)


class ArticleMoved(ProblemError):
    """The slug is a former one of an article; Location names the current URL."""

    type_slug = "article-moved"
    title = "Article moved"
    status = 308
    advice = "Follow `Location` to the article's current address, and use the new `slug` from now on."

    def __init__(self, old_slug: str, new_slug: str) -> None:
        super().__init__(f"The article now lives at '{new_slug}'.", slug=new_slug)
        self.old_slug, self.new_slug = old_slug, new_slug

    def response_headers(self, request: Request) -> dict[str, str]:
        # Same route, current slug: a 308 keeps the method, so writes follow too.
        path = request.url.path.replace(f"/articles/{self.old_slug}", f"/articles/{self.new_slug}", 1)
        query = f"?{request.url.query}" if request.url.query else ""
        return {"Location": f"{app_state(request).settings.base_url}{path}{query}"}


class SlugTaken(ProblemError):
    """Another article already uses the slug asked for."""

    type_slug = "slug-taken"
    title = "Slug already in use"
    status = 409
    advice = "Choose another slug, or leave it out to have one made from the title."

    @classmethod
    def held(cls, slug: str) -> "SlugTaken":
        """The slug belongs to another article, now or as a former slug that still redirects to it."""
        return cls(f"The slug '{slug}' is used, now or formerly, by another article.", slug=slug)


class InvalidTransition(ProblemError):
    """The lifecycle change asked for is not possible from the article's current state."""

    type_slug = "invalid-transition"
    title = "Invalid status change"
    status = 409
    advice = "Read the article's current `status` and ask for a change that state allows."


class RevisionNotFound(ProblemError):
    """The article has no revision with this number."""

    type_slug = "revision-not-found"
    title = "Revision not found"
    status = 404
    advice = "List the article's revisions to find the numbers that exist."


class InvalidPreviewToken(ProblemError):
    """The preview token is forged, expired, or made for another article."""

    type_slug = "invalid-preview-token"
    title = "Invalid preview token"
    status = 403
    advice = "Ask an editor for a new preview link to this article."


class CorrectionNotFound(ProblemError):
    """The article has no correction with this id."""

    type_slug = "correction-not-found"
    title = "Correction not found"
    status = 404
    advice = "Read the article again for the ids of its current corrections."
