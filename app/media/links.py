"""The URLs of a picture's renditions, as pages use them: a default `url`, `srcset` in HTML syntax
(JPEG, which every browser shows), WebP `sources` for a `<picture>`, and WebP crops per ratio."""

from typing import Any

from app.media.models import Media
from app.media.sizes import CROPS, DEFAULT_WIDTH, RATIOS, Rendition, crop_box, default_size, focus_of, ratio_of, widths


def rendition_url(media: Media, rendition: Rendition) -> str:
    return f"{media.served_from}/{media.content_hash}/{rendition.name}"


def _srcset(media: Media, sizes: list[int], extension: str, **crop: Any) -> str:
    return ", ".join(f"{rendition_url(media, Rendition(w, extension, **crop))} {w}w" for w in sizes)


def renditions(media: Media) -> dict[str, Any]:
    sizes = widths(media.width)
    default, _ = default_size(media.width, media.height)
    focus = focus_of(media.focal_x, media.focal_y)
    crops = {}
    for name, ratio in zip(CROPS, RATIOS, strict=True):
        left, _, right, _ = crop_box(media.width, media.height, ratio, focus)
        crops[name] = _srcset(media, widths(right - left), "webp", ratio=ratio, focus=focus)
    return {
        "url": rendition_url(media, Rendition(default, "jpg")),
        "srcset": _srcset(media, sizes, "jpg"),
        "sources": [{"type": "image/webp", "srcset": _srcset(media, sizes, "webp")}],
        "crops": crops,
    }


def _cropped(media: Media, crop: str, crops: dict[str, str]) -> dict[str, Any]:
    """The crop's own `url`, `srcset`, `sources` and size (in pixels of the original)."""
    ratio, focus = ratio_of(crop), focus_of(media.focal_x, media.focal_y)
    left, top, right, bottom = crop_box(media.width, media.height, ratio, focus)
    return {
        "url": rendition_url(media, Rendition(min(right - left, DEFAULT_WIDTH), "jpg", ratio, focus)),
        "srcset": _srcset(media, widths(right - left), "jpg", ratio=ratio, focus=focus),
        "sources": [{"type": "image/webp", "srcset": crops[crop]}],
        "width": right - left,
        "height": bottom - top,
    }


def shown(media: Media, crop: str | None = None) -> dict[str, Any]:
    """What an article embeds of a picture: its renditions (those of `crop`, one of CROPS, when
    given), size, focal point, placeholder and words."""
    whole = renditions(media) | {"width": media.width, "height": media.height}
    return (
        whole
        | (_cropped(media, crop, whole["crops"]) if crop else {})
        | {
            "focal_point": {"x": media.focal_x, "y": media.focal_y},
            "placeholder": media.placeholder,
            "alt": media.alt,
            "caption": media.caption,
            "credit": media.credit,
        }
    )
