"""The media table: one uploaded picture, what it shows, and where its files are served from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from app.db.columns import Table, UTCDateTime, created_at_field

FORMATS = ("jpeg", "png", "webp", "avif", "gif")


class MediaBase(SQLModel):
    """What an editor may set and change."""

    alt: str = Field("", max_length=1000, description="Text alternative; empty only for decorative pictures.")
    caption: str | None = Field(None, max_length=2000)
    credit: str | None = Field(None, max_length=300, description="Photographer or agency, shown with the picture.")
    licence: str | None = Field(None, max_length=300, description="Terms of use, e.g. `CC0-1.0` or `Staff photo`.")


class Media(MediaBase, Table, table=True):
    __table_args__ = (
        CheckConstraint(f"format IN {FORMATS}", name="format"),
        # The library lists newest first; renditions are found by their content hash.
        Index("ix_media_created_at_id", "created_at", "id"),
        Index("ix_media_uploader_key_id_created_at", "uploader_key_id", "created_at"),
    )

    id: int = Field(default=None, primary_key=True)
    source_url: str | None = Field(default=None, max_length=2000)
    # What crops keep in view, 0 to 1 from the left and from the top.
    focal_x: float = 0.5
    focal_y: float = 0.5
    # SHA-256 of the file as uploaded: names its files, so the same picture is stored once.
    content_hash: str = Field(max_length=64, index=True)
    format: str = Field(max_length=8)
    # As shown: after the EXIF orientation is applied.
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    bytes: int = Field(ge=1)
    placeholder: str = Field(max_length=2000, description="A tiny blurred WebP as a data URI.")
    # The name the file was sent with, shown to editors only; files are stored by hash, never by name.
    filename: str | None = Field(default=None, max_length=255)
    # Where its renditions are served from when it was added (this server's /media, or the CDN then set).
    served_from: str = Field(max_length=500)
    uploader_key_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("api_key.id", ondelete="SET NULL"), nullable=True)
    )
    uploaded_by: str = Field(
        max_length=100, description="Name of the API key (or command), or email of the person, that added it."
    )
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
