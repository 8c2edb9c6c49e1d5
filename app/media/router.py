"""Media routes: the library under /api/v1/media (keys with `media:write`), and the renditions
themselves under /media, for anyone, cached for good."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.auth.dependencies import MediaKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.caching import keys
from app.core.errors import InvalidParameter, problems
from app.core.ids import RowIdPath
from app.core.settings import Settings
from app.media import service, sizes
from app.media.dependencies import LibraryDep
from app.media.errors import (
    MediaInUse,
    MediaNotFound,
    MediaTooLarge,
    SourceUnavailable,
    TooManyUploads,
    UnreadableImage,
    UnsupportedMedia,
)
from app.media.schemas import MediaFetch, MediaFilters, MediaPublic, MediaUpdate, MediaWords
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/media", tags=["media"])
files = APIRouter(prefix="/media", tags=["media"])

MediaId = Annotated[RowIdPath, Path(description="The media item's id.")]
KEYED = (NotAuthenticated, MissingScope, InvalidParameter)
# Renditions never change under their URL: the content hash and every parameter are in it.
IMMUTABLE = "public, max-age=31536000, immutable"
_FORM_FIELDS = ("alt", "caption", "credit", "licence")
_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "JPEG, PNG, WebP, AVIF or GIF."},
                    **{name: {"type": "string"} for name in _FORM_FIELDS},
                    "source": {"type": "string", "description": "Where the picture came from (a URL)."},
                    "focal_x": {"type": "number", "minimum": 0, "maximum": 1},
                    "focal_y": {"type": "number", "minimum": 0, "maximum": 1},
                },
            }
        },
        "application/json": {"schema": {"$ref": "#/components/schemas/MediaFetch"}},
    },
}


# Named by the upload's request body, which FastAPI does not see.
DOCUMENTED_SHAPES = (MediaFetch,)
# A multipart body carries the file and a few short fields.
_FORM_OVERHEAD = 64 * 1024


def body_limits(settings: Settings) -> dict[str, int]:
    return {"/api/v1/media": settings.media_max_bytes + _FORM_OVERHEAD}


def _validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as invalid:
        raise RequestValidationError(
            [error | {"loc": ("body", *error["loc"])} for error in invalid.errors(include_url=False)]
        ) from None


async def _upload(request: Request, max_bytes: int) -> tuple[bytes, dict[str, Any], str | None]:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except StarletteHTTPException as unreadable:
        # A malformed body, or more parts than an upload has: the fields at fault, as for JSON.
        raise RequestValidationError([{"type": "value_error", "loc": ("body",), "msg": unreadable.detail}]) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body", "file"), "msg": "Send the picture as the field `file`."}]
            )
        data = await upload.read(max_bytes + 1)
        fields: dict[str, Any] = {name: form[name] for name in _FORM_FIELDS if isinstance(form.get(name), str)}
        if isinstance(form.get("source"), str) and form["source"]:
            fields["source_url"] = form["source"]
        if isinstance(form.get("focal_x"), str) or isinstance(form.get("focal_y"), str):
            fields["focal_point"] = {"x": form.get("focal_x", 0.5), "y": form.get("focal_y", 0.5)}
        return data, fields, upload.filename
    finally:
        await form.close()


@router.post(
    "",
    status_code=201,
    operation_id="media-create",
    summary="Add a picture: upload it, or name a URL to fetch it from",
    response_model=MediaPublic,
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses=problems(
        *KEYED[:2],
        MediaTooLarge,
        UnsupportedMedia,
        TooManyUploads,
        UnreadableImage,
        SourceUnavailable,
        InvalidParameter,
    ),
)
async def create_media(
    request: Request,
    response: Response,
    session: SessionDep,
    library: LibraryDep,
    settings: SettingsDep,
    clock: ClockDep,
    key: MediaKey,
) -> MediaPublic:
    """`multipart/form-data` with the file in `file` (and optional `alt`, `caption`, `credit`,
    `licence`, `source`, `focal_x`, `focal_y`), or JSON naming `source_url` for the server to fetch
    (public addresses only). The format is judged by the content; size and pixels are checked before
    decoding."""
    uploader = service.Uploader(name=key.name, key_id=key.key_id)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        data, fields, filename = await _upload(request, library.max_bytes)
        source = fields.pop("source_url", None)
        words = _validated(MediaFetch if source else MediaWords, fields | ({"source_url": source} if source else {}))
    else:
        try:
            body = await request.json()
        except ValueError:
            raise UnsupportedMedia("Send multipart/form-data with a `file`, or JSON naming `source_url`.") from None
        words = _validated(MediaFetch, body if isinstance(body, dict) else {"": body})
        filename = None
        data = await run_in_threadpool(service.fetch_source, words.source_url, library, settings.destinations)
    source_url = getattr(words, "source_url", None)
    media = await run_in_threadpool(
        service.add_media,
        session,
        library,
        data,
        MediaWords.model_validate(words.model_dump(exclude={"source_url"})),
        uploader=uploader,
        now=clock(),
        filename=filename,
        source_url=source_url,
    )
    response.headers["Location"] = f"{settings.base_url}/api/v1/media/{media.id}"
    return MediaPublic.of(media)


@router.get(
    "",
    operation_id="media-list",
    summary="List the library, newest first",
    response_model=Page[MediaPublic],
    responses=problems(*KEYED),
)
def list_media(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    key: MediaKey,
    filters: Annotated[MediaFilters, Query()],
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    rows, total, next_cursor = service.list_media(session, filters, limit=limit, cursor=cursor)
    return page_response(request, response, [MediaPublic.of(m) for m in rows], total=total, next_cursor=next_cursor)


@router.get(
    "/{media_id}",
    operation_id="media-get",
    summary="Get one picture with its renditions",
    response_model=MediaPublic,
    responses=problems(*KEYED[:2], MediaNotFound, InvalidParameter),
)
def get_media(media_id: MediaId, session: ReadSessionDep, key: MediaKey) -> MediaPublic:
    return MediaPublic.of(service.get_media(session, media_id))


@router.patch(
    "/{media_id}",
    operation_id="media-update",
    summary="Change a picture's words or focal point",
    response_model=MediaPublic,
    responses=problems(*KEYED[:2], MediaNotFound, InvalidParameter),
)
def update_media(
    media_id: MediaId, body: MediaUpdate, session: SessionDep, clock: ClockDep, key: MediaKey
) -> MediaPublic:
    """Articles that show the picture show the change at once (their cached answers are purged)."""
    return MediaPublic.of(service.update_media(session, media_id, body, now=clock()))


@router.delete(
    "/{media_id}",
    status_code=204,
    operation_id="media-delete",
    summary="Delete a picture no article shows",
    responses=problems(*KEYED[:2], MediaNotFound, MediaInUse, InvalidParameter),
)
def delete_media(media_id: MediaId, session: SessionDep, library: LibraryDep, key: MediaKey) -> Response:
    service.delete_media(session, library, media_id)
    return Response(status_code=204)


@files.get(
    "/{content_hash}/{name}",
    operation_id="media-file",
    summary="Get a rendition",
    response_class=FileResponse,
    responses={
        200: {"content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in sizes.FORMATS.values()}},
        **problems(MediaNotFound),
    },
)
def rendition(
    request: Request,
    content_hash: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    name: Annotated[str, Path(max_length=40, description="As the picture's `srcset`, `sources` and `crops` list it.")],
    session: ReadSessionDep,
    library: LibraryDep,
) -> Response:
    """Made on its first request, then served from storage. The URL holds the content hash and every
    parameter, so the answer never changes: cached for a year, with ETag, HEAD and Range."""
    wanted = sizes.parse(name)
    found = [
        media
        for media in service.with_hash(session, content_hash)
        if wanted is not None
        and sizes.listed(media.width, media.height, sizes.focus_of(media.focal_x, media.focal_y), wanted)
    ]
    if wanted is None or not found:
        raise MediaNotFound("No picture lists this rendition.")
    etag = f'"{content_hash[:20]}-{name}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    path = library.renderer.file(content_hash, found[0].width, found[0].height, wanted)
    if path is None:
        raise MediaNotFound("The picture's file is gone.")
    response = FileResponse(path, media_type=wanted.content_type, headers=headers)
    # Caches in front, and Byline's own, keep it until the picture changes or goes.
    keys.label(response, (keys.media(media.id) for media in found))
    return response


# HEAD answers as GET without the body (FileResponse sends only headers); one documented operation.
files.add_api_route("/{content_hash}/{name}", rendition, methods=["HEAD"], include_in_schema=False)
