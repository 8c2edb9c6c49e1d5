"""Wire shapes of the media library: what clients send, and the items they get back."""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from app.core.patching import patch_of
from app.core.weburl import WebUrl
from app.media import links
from app.media.models import FORMATS, Media, MediaBase


class FocalPoint(BaseModel):
    x: float = Field(ge=0, le=1, description="0 is the left edge, 1 the right.")
    y: float = Field(ge=0, le=1, description="0 is the top edge, 1 the bottom.")


class Source(BaseModel):
    type: str = Field(description="For `<source type=…>`.")
    srcset: str


class MediaWords(MediaBase):
    """Fields an editor sets, with the focal point as one object."""

    focal_point: FocalPoint | None = Field(None, description="What crops keep in view; the centre when omitted.")

    def columns(self) -> dict[str, Any]:
        fields = self.model_dump(exclude={"focal_point"})
        if self.focal_point is not None:
            fields |= {"focal_x": self.focal_point.x, "focal_y": self.focal_point.y}
        return fields


class MediaFetch(MediaWords):
    """Add a picture from a URL: the server fetches it (public addresses only)."""

    source_url: WebUrl


class MediaUpdate(patch_of(MediaWords)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change; articles that show the picture change with it."""

    source_url: WebUrl | None = None

    def columns(self) -> dict[str, Any]:
        fields: dict[str, Any] = self.changes()
        point = fields.pop("focal_point", None)
        if "focal_point" in self.model_fields_set:
            point = point or {"x": 0.5, "y": 0.5}
            fields |= {"focal_x": point["x"], "focal_y": point["y"]}
        return fields


class MediaPublic(BaseModel):
    id: int
    content_hash: str = Field(description="SHA-256 of the file as uploaded.")
    format: Literal[FORMATS]  # type: ignore[valid-type]
    width: int = Field(description="Pixels, upright (EXIF orientation applied).")
    height: int
    bytes: int
    alt: str
    caption: str | None
    credit: str | None
    licence: str | None
    source_url: str | None
    filename: str | None
    focal_point: FocalPoint
    placeholder: str = Field(description="A tiny blurred WebP as a data URI, to show while the picture loads.")
    url: str = Field(description="A JPEG of a sensible default width (1024 or less).")
    srcset: str = Field(description="JPEG renditions for `<img srcset>`, never wider than the original.")
    sources: list[Source] = Field(description="WebP renditions for `<picture><source>`.")
    crops: dict[str, str] = Field(
        description="Per aspect ratio (`1:1`, `4:3`, `16:9`), WebP crops around the focal point."
    )
    uploaded_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, media: Media) -> Self:
        return cls.model_validate(
            media.model_dump() | links.renditions(media) | {"focal_point": {"x": media.focal_x, "y": media.focal_y}}
        )


class MediaFilters(BaseModel):
    format: Literal[FORMATS] | None = Field(None, description="Only pictures of this format.")  # type: ignore[valid-type]
    uploaded_by: str | None = Field(None, max_length=100, description="Only what this key (by name) added.")
    q: str | None = Field(None, min_length=1, max_length=200, description="Words in the alt text, caption or credit.")
    created_after: datetime | None = None
    created_before: datetime | None = None
