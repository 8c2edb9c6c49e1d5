"""The article a comment route's `{slug}` names, loaded with only what comments need of it."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import load_only
from sqlmodel import Session

from app.articles import service as articles
from app.articles.models import Article
from app.columns import loadable
from app.db import ReadSessionDep, SessionDep
from app.slugs import Slug
from app.state import ClockDep

# Raising on anything else keeps a later change from quietly loading the whole article per comment.
_COMMENTS_NEED = (
    load_only(loadable(Article.id), loadable(Article.slug), loadable(Article.comments_open), raiseload=True),
)


def _published(session: Session, slug: str, clock: ClockDep) -> Article:
    return articles.get_article(session, slug, now=clock(), loading=_COMMENTS_NEED)


def _article_to_comment_on(slug: Slug, session: SessionDep, clock: ClockDep) -> Article:
    return _published(session, slug, clock)


def _commented_article(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> Article:
    return _published(session, slug, clock)


ArticleToCommentOn = Annotated[Article, Depends(_article_to_comment_on)]
CommentedArticle = Annotated[Article, Depends(_commented_article)]
