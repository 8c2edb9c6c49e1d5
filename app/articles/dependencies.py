"""What the caller may read, and path loaders: the article a route's `{slug}` names, loaded once."""

from typing import Annotated

from fastapi import Depends

from app.articles import service
from app.articles.models import Article
from app.articles.schemas import ArticleSummary
from app.articles.visibility import PUBLIC, Reader, editor
from app.auth.callers import Caller
from app.auth.dependencies import EditorKey, OptionalKey, PreviewKey, ensure_section
from app.auth.models import Scope
from app.core.slugs import Slug
from app.web.fieldsets import Fieldset, fields_of
from app.web.state import ClockDep, SessionDep


async def _reader(key: OptionalKey) -> Reader:
    if key is None:
        return PUBLIC
    return Reader(
        preview=key.grants(Scope.content_preview), embargoed=key.grants(Scope.content_embargo), sections=key.sections
    )


ReaderDep = Annotated[Reader, Depends(_reader)]


# Each loader takes the key it needs, so a caller without one hears 401 before learning whether the article exists.
def _editor(key: Caller) -> Reader:
    return editor(embargoed=key.grants(Scope.content_embargo))


def _article_to_edit(slug: Slug, session: SessionDep, clock: ClockDep, key: EditorKey) -> Article:
    # Locked until the write commits: racing editors queue, and If-Match is checked against what gets written.
    article = service.get_article(session, slug, now=clock(), reader=_editor(key), for_update=True)
    ensure_section(key, article.section.slug if article.section else None)
    return article


def _article_for_editors(slug: Slug, session: SessionDep, clock: ClockDep, key: EditorKey) -> Article:
    # Revisions and pins show unpublished work: a section-bound person's only in their sections.
    article = service.get_article(session, slug, now=clock(), reader=_editor(key))
    ensure_section(key, article.section.slug if article.section else None)
    return article


def _article_to_preview(slug: Slug, session: SessionDep, clock: ClockDep, key: PreviewKey) -> Article:
    article = service.get_article(session, slug, now=clock(), reader=_editor(key))
    ensure_section(key, article.section.slug if article.section else None)
    return article


async def _editor_reader(key: EditorKey) -> Reader:
    return _editor(key)


async def _preview_reader(key: PreviewKey) -> Reader:
    return _editor(key)


# What a writing key may see of other articles (pins, imports): drafts, and embargoed ones with `content:embargo`.
EditorReader = Annotated[Reader, Depends(_editor_reader)]
# What a previewing key may see of other articles: the same, for reading.
PreviewReader = Annotated[Reader, Depends(_preview_reader)]
ArticleToEdit = Annotated[Article, Depends(_article_to_edit)]
ArticleForEditors = Annotated[Article, Depends(_article_for_editors)]
ArticleToPreview = Annotated[Article, Depends(_article_to_preview)]


# `fields=` on lists of articles.
SummaryFields = Annotated[Fieldset | None, Depends(fields_of(ArticleSummary))]
