"""The article a comment route's `{slug}` names, loaded with only what comments need of it."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import load_only

from app.articles import service as articles
from app.articles.models import Article
from app.columns import loadable
from app.db import ReadSessionDep
from app.slugs import Slug
from app.state import ClockDep

# Raising on anything else keeps a later change from quietly loading the whole article per comment.
_COMMENTS_NEED = (
    load_only(loadable(Article.id), loadable(Article.slug), loadable(Article.comments_open), raiseload=True),
)


def _commented_article(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> Article:
    # Read outside any write transaction, also for a new comment: the write lock is then held only
    # while the comment is checked and stored, not while the request moves between threads.
    return articles.get_article(session, slug, now=clock(), loading=_COMMENTS_NEED)


CommentedArticle = Annotated[Article, Depends(_commented_article)]
