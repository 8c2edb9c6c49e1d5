"""Comment routes: the public "Leave a Reply" form and threads, and the moderators' queue."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime

from app.articles.errors import ArticleMoved, ArticleNotFound
from app.auth.dependencies import ModeratorKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.caching import keys, stored_answers
from app.comments import moderation, notifications, pages, service
from app.comments.dependencies import CommentedArticle
from app.comments.errors import CommentNotFound, CommentsClosed, InvalidUnsubscribeToken, TooManyComments
from app.comments.models import CommentStatus
from app.comments.schemas import (
    BulkModeration,
    BulkModerationResult,
    CommentContext,
    CommentCreate,
    CommentModeration,
    CommentModerationUpdate,
    CommentPublic,
    CommentReceipt,
    FormToken,
    Unsubscribed,
)
from app.comments.spam import Reason
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.ids import RowIdPath
from app.core.settings import Settings
from app.core.slugs import SLUG_PATTERN, Slug
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep, WriteBatchesDep

public = APIRouter(prefix="/api/v1/articles/{slug}/comments", tags=["comments"])
# The threads' first page may be stored (app.caching.stored_answers).
STORED_PATHS = stored_answers.stored_paths("/api/v1/articles/{slug}/comments")
# Readers' own links from notifications; before the moderators' routes, whose /{comment_id} would match them too.
subscriptions = APIRouter(prefix="/api/v1/comments/unsubscribe", tags=["comments"])
moderators = APIRouter(prefix="/api/v1/comments", tags=["comments"])


def body_limits(settings: Settings) -> dict[str, int]:
    """Request body limits by path pattern: a comment is small, and its route is open to anyone."""
    return {r"/api/v1/articles/[^/]+/comments": settings.comment_max_body_bytes}


CommentId = Annotated[RowIdPath, Path(description="The comment's id.")]
UnsubscribeToken = Annotated[str, Query(max_length=1000, description="From the notification's unsubscribe link.")]
MODERATION = (NotAuthenticated, MissingScope, InvalidParameter)
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


@public.post(
    "",
    status_code=202,
    operation_id="comments-create",
    summary="Leave a reply on an article",
    response_model=CommentReceipt,
    responses={
        201: {"model": CommentReceipt, "description": "Published at once (a trusted commenter token was sent)."},
        **problems(ArticleNotFound, ArticleMoved, CommentsClosed, TooManyComments, InvalidField, InvalidParameter),
    },
)
async def create_comment(
    request: Request,
    response: Response,
    slug: Slug,
    body: CommentCreate,
    writes: WriteBatchesDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> CommentReceipt | JSONResponse:
    """New comments wait for a moderator (202). A returning commenter who sends the
    `commenter_token` of a receipt, with the same email address, is published at once (201) once
    a moderator has approved one of their comments; nobody else can tell whether an address has
    approved comments. The email address is never published. Rate-limited per network and per
    address: `RateLimit-*` headers say what is left, and 429 comes with `Retry-After`."""
    comment, token, allowance = await service.submit_comment(
        writes,
        slug,
        body,
        client_address=request.client.host if request.client else "",
        now=clock(),
        settings=settings,
    )
    if comment.status == CommentStatus.approved.value:
        published = service.public_comment(comment, comment.parent_id, settings)
        receipt = CommentReceipt(id=comment.id, status="approved", comment=published, commenter_token=token)
        return JSONResponse(receipt.model_dump(mode="json"), status_code=201, headers=allowance.headers())
    response.headers.update(allowance.headers())
    # Spam is filed quietly: the sender sees the same answer as for a held comment.
    return CommentReceipt(id=comment.id, status="pending", commenter_token=token)


@public.get(
    "",
    operation_id="comments-list",
    summary="List an article's published comments as threads",
    response_model=Page[CommentPublic],
    responses=problems(ArticleNotFound, ArticleMoved, InvalidParameter),
)
def list_comments(
    request: Request,
    response: Response,
    article: CommentedArticle,
    session: ReadSessionDep,
    settings: SettingsDep,
    order: Annotated[
        Literal["oldest", "newest"], Query(description="Order of threads; replies are always oldest first.")
    ] = "oldest",
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """Each item is a thread's opening comment with its approved replies nested under `replies`,
    up to `BYLINE_COMMENT_MAX_DEPTH` levels; `meta.total` counts threads."""
    items, total, next_cursor = service.list_threads(
        session,
        article,
        limit=limit,
        cursor=cursor,
        newest_first=order == "newest",
        settings=settings,
    )
    # The thread is readable only while its article is: an article's write ends it too.
    keys.label(response, [keys.comments(article.slug), keys.article(article.slug)])
    stored_answers.storable_as_asked(request, "order", "limit")
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@public.get(
    "/form-token",
    operation_id="comments-form-token",
    summary="Get a token to send with the comment form",
    response_model=FormToken,
    responses=problems(ArticleNotFound, ArticleMoved, InvalidParameter),
)
def get_form_token(article: CommentedArticle, clock: ClockDep, settings: SettingsDep) -> FormToken:
    """Fetch it when the form is shown and send it back as `form_token`: comments sent faster
    than a person could type are held for a moderator."""
    now = clock()
    return FormToken(form_token=service.form_token(article, now=now, settings=settings), issued_at=now)


@subscriptions.get(
    "",
    operation_id="comments-unsubscribe-page",
    summary="Show the page that asks before stopping reply notifications",
    response_class=HTMLResponse,
    responses={
        200: {"content": HTML_PAGE, "description": "A page with a button that sends the one-click POST."},
        400: {"content": HTML_PAGE, "description": "A page saying the link is not valid or has expired."},
        **problems(InvalidParameter),
    },
)
def unsubscribe_page(settings: SettingsDep, token: UnsubscribeToken) -> HTMLResponse:
    """The link in a notification's text and HTML. Opening it (GET or HEAD) changes nothing, so link
    scanners and prefetchers cannot unsubscribe anyone: the page's button sends the POST. Never cached."""
    if notifications.subscribed_comment(token, settings=settings) is None:
        return pages.invalid_link(site_name=settings.site_name)
    return pages.confirmation(token, site_name=settings.site_name)


@subscriptions.post(
    "",
    operation_id="comments-unsubscribe-one-click",
    summary="Stop reply notifications (one-click, RFC 8058)",
    response_model=Unsubscribed,
    responses={
        200: {"content": HTML_PAGE, "description": "JSON, or a page when the request accepts `text/html`."},
        **problems(InvalidUnsubscribeToken, InvalidParameter),
    },
)
def unsubscribe(
    request: Request, session: SessionDep, settings: SettingsDep, token: UnsubscribeToken
) -> Unsubscribed | Response:
    """What mail clients send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and what the
    page's button sends. Never cached."""
    notifications.unsubscribe(session, token, settings=settings)
    if "text/html" in request.headers.get("accept", ""):
        return pages.unsubscribed(site_name=settings.site_name)
    return JSONResponse(Unsubscribed().model_dump(), headers=pages.NOT_STORED)


@moderators.get(
    "",
    operation_id="comments-queue",
    summary="List comments for moderation, newest first",
    response_model=Page[CommentModeration],
    responses=problems(*MODERATION),
)
def moderation_queue(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    key: ModeratorKey,
    status: CommentStatus = CommentStatus.pending,
    article: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=200, description="Article slug.")] = None,
    email: Annotated[str | None, Query(max_length=254, description="Commenter's email address.")] = None,
    reason: Annotated[Reason | None, Query(description="Held or filed as spam for this kind of reason.")] = None,
    since: Annotated[AwareDatetime | None, Query(description="Received at or after this time.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Received before this time.")] = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    items, total, next_cursor = moderation.moderation_queue(
        session,
        status=status,
        article_slug=article,
        email=email,
        reason=reason,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@moderators.post(
    "/moderate",
    operation_id="comments-bulk",
    summary="Apply one decision to many comments",
    response_model=BulkModerationResult,
    responses=problems(*MODERATION),
)
def bulk_moderate(
    body: BulkModeration, session: SessionDep, clock: ClockDep, settings: SettingsDep, key: ModeratorKey
) -> BulkModerationResult:
    changed, missing = moderation.bulk_moderate(session, body, now=clock(), settings=settings)
    return BulkModerationResult(changed=changed, not_found=missing)


@moderators.get(
    "/{comment_id}",
    operation_id="comments-get",
    summary="Get one comment with its private details",
    response_model=CommentModeration,
    responses=problems(*MODERATION, CommentNotFound),
)
def get_comment(comment_id: CommentId, session: ReadSessionDep, key: ModeratorKey) -> CommentModeration:
    return moderation.moderation_view(*moderation.get_comment(session, comment_id))


@moderators.get(
    "/{comment_id}/thread",
    operation_id="comments-thread",
    summary="Get a comment in its thread: the comments it answers and its replies",
    response_model=CommentContext,
    responses=problems(*MODERATION, CommentNotFound),
)
def get_thread(comment_id: CommentId, session: ReadSessionDep, key: ModeratorKey) -> CommentContext:
    """Private details and every status included, as in the queue."""
    return moderation.thread_context(session, comment_id)


@moderators.patch(
    "/{comment_id}",
    operation_id="comments-moderate",
    summary="Approve, file as spam, trash or edit a comment",
    response_model=CommentModeration,
    responses=problems(*MODERATION, CommentNotFound, InvalidField),
)
def moderate_comment(
    comment_id: CommentId,
    body: CommentModerationUpdate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    key: ModeratorKey,
) -> CommentModeration:
    """The public thread and the article's `comment_count` change at once."""
    comment, slug = moderation.moderate(session, comment_id, body, now=clock(), settings=settings)
    return moderation.moderation_view(comment, slug)


@moderators.delete(
    "/{comment_id}",
    status_code=204,
    operation_id="comments-delete",
    summary="Delete a comment for good; its replies move up to its parent",
    responses=problems(*MODERATION, CommentNotFound),
)
def delete_comment(comment_id: CommentId, session: SessionDep, key: ModeratorKey) -> Response:
    moderation.delete_comment(session, comment_id)
    return Response(status_code=204)
