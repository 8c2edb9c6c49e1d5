"""The article a comment route's `{slug}` names, with only what comments need of it."""

from typing import Annotated

from fastapi import Depends

from app.comments import service
from app.core.slugs import Slug
from app.web.state import ClockDep, ReadSessionDep


def _commented_article(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> service.CommentedArticle:
    # For reads only: a new comment reads its article in the transaction that stores it.
    return service.commented_article(session, slug, now=clock())


CommentedArticle = Annotated[service.CommentedArticle, Depends(_commented_article)]
