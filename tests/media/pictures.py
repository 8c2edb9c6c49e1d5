"""Real picture files for the media tests, made with Pillow, and one that only claims to be huge."""

import io
import struct
import zlib

from PIL import Image

GPS = 0x8825
ORIENTATION = 0x0112


def photo(
    width: int = 1200, height: int = 800, *, kind: str = "JPEG", orientation: int | None = None, gps: bool = False
) -> bytes:
    """A gradient with a red block in its top-left quarter, so crops and turns can be told apart."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((220, 20, 20), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if (orientation or gps) and kind in ("JPEG", "WEBP", "PNG") else {}
    image.save(out, kind, **options)
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
