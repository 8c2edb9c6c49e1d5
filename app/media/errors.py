"""Problems the media routes raise."""

from app.core.errors import ProblemError, RateLimited


class MediaNotFound(ProblemError):
    """No media item has this id."""

    type_slug = "media-not-found"
    title = "Media not found"
    status = 404
    advice = "Check the id; the item may have been deleted."


class MediaTooLarge(ProblemError):
    """The file, or the picture it declares, is larger than this server takes: refused before decoding."""

    type_slug = "media-too-large"
    title = "Media too large"
    status = 413
    advice = "Send a smaller file, or scale the picture down (`limit` gives the bytes or pixels allowed)."


class UnsupportedMedia(ProblemError):
    """The file is not a JPEG, PNG, WebP, AVIF or GIF picture, judged by its content (SVG is refused)."""

    type_slug = "unsupported-media"
    title = "Unsupported media type"
    status = 415
    advice = "Send a JPEG, PNG, WebP, AVIF or GIF file; convert SVG drawings to PNG first."


class UnreadableImage(ProblemError):
    """The file names a supported format but cannot be decoded whole (truncated or corrupt)."""

    type_slug = "unreadable-image"
    title = "Unreadable image"
    status = 422
    advice = "Export the picture again and send the new file."


class SourceUnavailable(ProblemError):
    """The source URL could not be fetched: refused by the destination guard, unreachable, or an error answer."""

    type_slug = "media-source-unavailable"
    title = "Media source unavailable"
    status = 422
    advice = "Check that `source_url` is a public http(s) address that answers with the picture."


class MediaInUse(ProblemError):
    """Articles still show this media item; `articles` lists their slugs."""

    type_slug = "media-in-use"
    title = "Media in use"
    status = 409
    advice = "Remove the picture from the articles `articles` names, then delete it."


class TooManyUploads(RateLimited):
    """This API key has uploaded as many items as one window allows."""

    type_slug = "too-many-uploads"
    title = "Too many uploads"
    advice = "Wait the seconds `Retry-After` (and `retry_after`) gives before uploading again."
