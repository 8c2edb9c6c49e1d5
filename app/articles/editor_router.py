"""Article write routes: create, edit, lifecycle, corrections, preview links and revisions."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from app.articles import corrections, editing, preview, revisions
from app.articles.dependencies import ArticleForEditors, ArticleToEdit, ArticleToPreview
from app.articles.errors import (
    ArticleMoved,
    ArticleNotFound,
    CorrectionNotFound,
    InvalidTransition,
    RevisionNotFound,
    SlugTaken,
)
from app.articles.models import Article, ArticleStatus
from app.articles.schemas import (
    ArticleCreate,
    ArticlePublic,
    ArticleUpdate,
    CorrectionCreate,
    CorrectionUpdate,
    PreviewToken,
    PublishRequest,
    RevisionPublic,
    RevisionSummary,
)
from app.auth.dependencies import (
    EditorKey,
    PublisherKey,
    ensure_embargo,
    ensure_publishing,
    ensure_scope,
    ensure_section,
)
from app.auth.errors import CsrfTokenMissing, MissingScope, NotAuthenticated, PublishingForbidden, SectionForbidden
from app.auth.models import Scope
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.ids import RowIdPath
from app.web.conditional import IfMatch, PreconditionFailed, with_etag, written
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/articles", tags=["articles"])

AUTH = (NotAuthenticated, MissingScope, CsrfTokenMissing, SectionForbidden)
PUBLISH = (*AUTH, PublishingForbidden)
EDIT = (*AUTH, ArticleNotFound, ArticleMoved, PreconditionFailed, InvalidParameter)


def _written(response: Response, article: Article, *, now: datetime) -> ArticlePublic:
    return written(response, ArticlePublic.from_full_article(article, now=now))


@router.post(
    "",
    status_code=201,
    operation_id="articles-create",
    summary="Create an article",
    response_model=ArticlePublic,
    responses=problems(*PUBLISH, SlugTaken, InvalidField),
)
def create_article(
    response: Response, body: ArticleCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: EditorKey
) -> ArticlePublic:
    """An `embargo_until` is for admins and editors of the section (keys: `content:embargo`). A signed-in
    contributor files drafts in their sections."""
    ensure_section(key, body.section)
    if body.status != ArticleStatus.draft:
        ensure_publishing(key)
    if body.embargo_until is not None:
        ensure_embargo(key, body.section)
    now = clock()
    article = editing.create_article(session, body, now=now, actor=key.name)
    response.headers["Location"] = f"{settings.base_url}/api/v1/articles/{article.slug}"
    return _written(response, article, now=now)


@router.patch(
    "/{slug}",
    operation_id="articles-update",
    summary="Change an article",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, SlugTaken, InvalidField, InvalidTransition),
)
def update_article(
    response: Response,
    article: ArticleToEdit,
    body: ArticleUpdate,
    session: SessionDep,
    clock: ClockDep,
    key: EditorKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """Send `If-Match` with the ETag you read: if someone changed the article since, the
    change is refused with 412 and nothing is written. Every change is kept as a revision. Setting,
    moving or lifting `embargo_until` is for admins and editors of the story's section (keys:
    `content:embargo`)."""
    changes = body.changes()
    if "section" in changes:
        ensure_section(key, changes["section"])
    if "status" in changes or "published_at" in changes:
        ensure_publishing(key)
    if editing.changes_embargo(article.embargo_until, changes):
        ensure_embargo(key, changes.get("section", article.section.slug if article.section else None))
    now = clock()
    article = editing.update_article(session, article, body, now=now, actor=key.name, if_match=if_match)
    return _written(response, article, now=now)


async def _hard_delete(
    key: EditorKey,
    hard: Annotated[bool, Query(description="Delete the article and its history for good; needs `admin`.")] = False,
) -> bool:
    # Checked before the article is looked up: a key that may not delete learns nothing about it.
    if hard:
        ensure_scope(key, Scope.admin)
    return hard


@router.delete(
    "/{slug}",
    status_code=204,
    operation_id="articles-delete",
    summary="Archive an article, or delete it for good",
    responses=problems(*EDIT, PublishingForbidden),
)
def delete_article(
    hard: Annotated[bool, Depends(_hard_delete)],
    article: ArticleToEdit,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    if_match: IfMatch = None,
) -> Response:
    """Archiving hides the article from readers and keeps it for editors; a hard delete needs `admin`."""
    if hard:
        editing.delete_article(session, article, now=clock(), if_match=if_match)
    else:
        editing.archive_article(session, article, now=clock(), actor=key.name, if_match=if_match)
    return Response(status_code=204)


@router.post(
    "/{slug}/publish",
    operation_id="articles-publish",
    summary="Publish an article now, or schedule it",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, InvalidField),
)
def publish_article(
    response: Response,
    article: ArticleToEdit,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    body: Annotated[PublishRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """With a future `published_at` the article is scheduled and goes live by itself at that time."""
    now = clock()
    when = body.published_at if body else None
    article = editing.publish_article(session, article, published_at=when, now=now, actor=key.name, if_match=if_match)
    return _written(response, article, now=now)


@router.post(
    "/{slug}/unpublish",
    operation_id="articles-unpublish",
    summary="Take a published or scheduled article back to draft",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, InvalidTransition),
)
def unpublish_article(
    response: Response,
    article: ArticleToEdit,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    now = clock()
    return _written(
        response, editing.unpublish_article(session, article, now=now, actor=key.name, if_match=if_match), now=now
    )


@router.post(
    "/{slug}/corrections",
    status_code=201,
    operation_id="articles-correct",
    summary="Add a correction notice readers see on the article",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, InvalidField),
)
def add_correction(
    response: Response,
    article: ArticleToEdit,
    body: CorrectionCreate,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """Kept as a revision. Readers never see a correction dated before the article's `published_at`:
    one added to a draft is dated when the article goes live."""
    now = clock()
    article = corrections.add_correction(session, article, body, now=now, actor=key.name, if_match=if_match)
    return _written(response, article, now=now)


@router.patch(
    "/{slug}/corrections/{correction_id}",
    operation_id="articles-correction-update",
    summary="Change a correction's text or date",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, CorrectionNotFound, InvalidField),
)
def update_correction(
    response: Response,
    article: ArticleToEdit,
    correction_id: RowIdPath,
    body: CorrectionUpdate,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """Only the fields sent change; the change is kept as a revision."""
    now = clock()
    article = corrections.edit_correction(
        session, article, correction_id, body, now=now, actor=key.name, if_match=if_match
    )
    return _written(response, article, now=now)


@router.delete(
    "/{slug}/corrections/{correction_id}",
    operation_id="articles-correction-delete",
    summary="Remove a correction from the article",
    response_model=ArticlePublic,
    responses=problems(*EDIT, PublishingForbidden, CorrectionNotFound),
)
def delete_correction(
    response: Response,
    article: ArticleToEdit,
    correction_id: RowIdPath,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """Readers stop seeing it at once; the revisions keep what it said. Answers with the article as it
    now stands, so its new ETag is at hand for the next write."""
    now = clock()
    article = corrections.remove_correction(session, article, correction_id, now=now, actor=key.name, if_match=if_match)
    return _written(response, article, now=now)


@router.post(
    "/{slug}/preview-token",
    status_code=201,
    operation_id="articles-preview-token",
    summary="Create a signed, expiring link to preview an unpublished article",
    response_model=PreviewToken,
    responses=problems(*AUTH, ArticleNotFound, ArticleMoved, InvalidParameter),
)
def create_preview_token(article: ArticleToPreview, clock: ClockDep, settings: SettingsDep) -> PreviewToken:
    """Anyone holding the token may read this one article, whatever its status, until it expires
    (`BYLINE_PREVIEW_TOKEN_MINUTES`); no key or cookie is needed."""
    now = clock()
    token, expires_at = preview.issue_preview_token(
        settings.secret_key.get_secret_value(), article.id, now=now, lifetime=settings.preview_token_lifetime
    )
    url = f"{settings.base_url}/api/v1/articles/{article.slug}?preview_token={token}"
    return PreviewToken(token=token, expires_at=expires_at, url=url)


@router.get(
    "/{slug}/revisions",
    operation_id="articles-revisions",
    summary="List an article's revisions, newest first",
    response_model=Page[RevisionSummary],
    responses=problems(*AUTH, ArticleNotFound, ArticleMoved, InvalidParameter),
)
def list_revisions(
    request: Request,
    response: Response,
    article: ArticleForEditors,
    session: SessionDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    rows, total, next_cursor = revisions.list_revisions(session, article, limit=limit, cursor=cursor)
    summaries = [RevisionSummary.from_revision(revision) for revision in rows]
    return page_response(request, response, summaries, total=total, next_cursor=next_cursor)


@router.get(
    "/{slug}/revisions/{number}",
    operation_id="articles-revision",
    summary="Get one revision: what changed and the whole state after it",
    response_model=RevisionPublic,
    responses=problems(*AUTH, ArticleNotFound, ArticleMoved, RevisionNotFound, InvalidParameter),
)
def get_revision(
    request: Request, response: Response, article: ArticleForEditors, number: RowIdPath, session: SessionDep
) -> RevisionPublic | Response:
    return with_etag(request, response, RevisionPublic.from_revision(revisions.get_revision(session, article, number)))


@router.post(
    "/{slug}/revisions/{number}/restore",
    operation_id="articles-restore",
    summary="Restore an article's content to a revision",
    response_model=ArticlePublic,
    responses=problems(*EDIT, RevisionNotFound, SlugTaken, InvalidField),
)
def restore_revision(
    response: Response,
    article: ArticleToEdit,
    number: RowIdPath,
    session: SessionDep,
    clock: ClockDep,
    key: EditorKey,
    if_match: IfMatch = None,
) -> ArticlePublic:
    """Brings back the content (title, body, byline, section, tags, ...) as a new revision;
    the slug and the article's place in its lifecycle stay as they are."""
    # Restoring may move the article back to a section the caller may not write in.
    ensure_section(key, revisions.get_revision(session, article, number).snapshot.get("section"))
    now = clock()
    article = editing.restore_revision(session, article, number, now=now, actor=key.name, if_match=if_match)
    return _written(response, article, now=now)
