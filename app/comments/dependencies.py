"""The article a comment route's `{slug}` names, with only what comments need of it."""

from typing import Annotated

from fastapi import Depends

from app.comments import service
from app.db import ReadSessionDep
from app.slugs import Slug
from app.state import ClockDep


def _commented_article(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> service.CommentedArticle:
    # Read outside any write transaction, also for a new comment: the write lock is then held only
    # while the comment is checked and stored, not while the request moves between threads.
    return service.commented_article(session, slug, now=clock())


CommentedArticle = Annotated[service.CommentedArticle, Depends(_commented_article)]
