"""Problems the comment routes raise."""

from fastapi import Request

from app.comments.pages import NOT_STORED
from app.core.errors import ProblemError, RateLimited


class CommentsClosed(ProblemError):
    """The article no longer accepts comments."""

    type_slug = "comments-closed"
    title = "Comments are closed"
    status = 409
    advice = "Nothing to retry: the article takes no more comments."


class CommentNotFound(ProblemError):
    """No comment has this id."""

    type_slug = "comment-not-found"
    title = "Comment not found"
    status = 404
    advice = "Check the id; the comment may have been deleted."


class TooManyComments(RateLimited):
    """Too many comments from one network or one email address in a short time."""

    type_slug = "too-many-comments"
    title = "Too many comments"
    advice = "Wait the seconds `Retry-After` (and `retry_after`) gives before sending another comment."


class InvalidUnsubscribeToken(ProblemError):
    """The unsubscribe link is not one Byline sent, or has expired."""

    type_slug = "invalid-unsubscribe-token"
    title = "Invalid unsubscribe link"
    status = 400
    advice = "Use the unsubscribe link of a reply email exactly as it was sent."

    def response_headers(self, request: Request) -> dict[str, str]:
        return dict(NOT_STORED)
