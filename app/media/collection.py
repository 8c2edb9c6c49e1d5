"""What the media library needs at run time, built once from the settings: its storage, its limits,
where its files are served from, and the worker's renderer."""

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine

from app.core.settings import Settings
from app.db.locks import across_servers
from app.media.renditions import Renderer
from app.media.storage import LocalStorage, MediaStorage


@dataclass(frozen=True)
class Library:
    storage: MediaStorage
    renderer: Renderer
    served_from: str
    max_bytes: int
    max_pixels: int
    uploads_per_key: int
    upload_window_seconds: int


def open_library(settings: Settings, engine: Engine | None = None) -> Library:
    """With `engine`, servers sharing its PostgreSQL database and the bucket make each rendition once
    between them, not once each."""
    storage: MediaStorage
    if settings.media_storage == "s3":
        # boto3 takes a third of a second to import: only the servers that store in a bucket load it.
        from app.media.s3 import S3Storage

        secret = settings.media_s3_secret_key
        storage = S3Storage.connect(
            settings.media_s3_bucket or "",
            cache=settings.media_directory,
            endpoint_url=str(settings.media_s3_endpoint_url) if settings.media_s3_endpoint_url else None,
            region=settings.media_s3_region,
            access_key=settings.media_s3_access_key.get_secret_value() if settings.media_s3_access_key else None,
            secret_key=secret.get_secret_value() if secret else None,
            prefix=settings.media_s3_prefix,
            servers_lock=partial(across_servers, engine) if engine is not None else None,
        )
    else:
        storage = LocalStorage(settings.media_directory)
    return Library(
        storage=storage,
        renderer=Renderer(storage, concurrency=settings.media_render_concurrency),
        served_from=settings.media_base_url,
        max_bytes=settings.media_max_bytes,
        max_pixels=settings.media_max_pixels,
        uploads_per_key=settings.media_uploads_per_key,
        upload_window_seconds=settings.media_upload_window_seconds,
    )
