"""Reading an uploaded picture safely: its format by content, its size from the header before any
decoding, one full decode to prove it is whole, and the tiny placeholder shown while it loads."""

import base64
import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError, features

from app.media.errors import MediaTooLarge, UnreadableImage, UnsupportedMedia

# Pillow's names of the formats taken, and ours. AVIF only where this Pillow was built with it.
_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"} | (
    {"AVIF": "avif"} if features.check("avif") else {}
)
# EXIF orientations that turn the picture a quarter: width and height trade places.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION = 0x0112
# SVG (or any XML) is refused: scripts and external references ride in it.
_MARKUP = re.compile(rb"^\s*(<\?xml|<svg|<!DOCTYPE|<)", re.IGNORECASE)
PLACEHOLDER_WIDTH = 16


def content_hash(data: bytes) -> str:
    """What names a picture's bytes: in the library's rows, its files' keys and its URLs."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Picture:
    """What the library records of an accepted file."""

    content_hash: str
    format: str
    width: int
    height: int
    bytes: int
    placeholder: str


def accepted_formats() -> list[str]:
    return sorted(_FORMATS.values())


def inspect(data: bytes, *, max_bytes: int, max_pixels: int) -> Picture:
    """The picture `data` holds, or the problem that refuses it: too many bytes or pixels (413, both
    known before decoding), not a supported format by its content (415), not decodable whole (422)."""
    if len(data) > max_bytes:
        raise MediaTooLarge(f"The file has {len(data)} bytes; at most {max_bytes} are taken.", limit=max_bytes)
    if _MARKUP.match(data[:256]):
        raise UnsupportedMedia("SVG and other markup are refused; send the drawing as PNG.")
    try:
        # Opening reads the header only; `formats` keeps every other decoder Pillow has out of reach.
        with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise MediaTooLarge(
                    f"The picture declares {width}x{height} pixels; at most {max_pixels} are taken.", limit=max_pixels
                )
            kind = _FORMATS[str(image.format)]
            if image.getexif().get(_ORIENTATION) in _QUARTER_TURNS:
                width, height = height, width
            placeholder = _placeholder(image)
    except Image.DecompressionBombError:
        raise MediaTooLarge(f"The picture declares more than {max_pixels} pixels.", limit=max_pixels) from None
    except UnidentifiedImageError:
        raise UnsupportedMedia(
            f"The file is not a picture this server takes ({', '.join(accepted_formats())})."
        ) from None
    except (OSError, SyntaxError, ValueError) as broken:
        raise UnreadableImage(f"The picture cannot be decoded: {broken}.") from None
    return Picture(
        content_hash=content_hash(data),
        format=kind,
        width=width,
        height=height,
        bytes=len(data),
        placeholder=placeholder,
    )


def _placeholder(image: Image.Image) -> str:
    """Decodes the whole file once (JPEGs at a reduced scale), which also proves it is not truncated."""
    image.draft("RGB", (PLACEHOLDER_WIDTH * 8, PLACEHOLDER_WIDTH * 8))
    image.load()
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((PLACEHOLDER_WIDTH, PLACEHOLDER_WIDTH))
    out = io.BytesIO()
    upright.save(out, "WEBP", quality=40)
    return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode()
