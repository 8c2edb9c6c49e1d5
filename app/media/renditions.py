"""Making renditions with Pillow (chosen by bench/media.py's measurements, see the README): made
once, on first request, under a lock per rendition, at most a few at a time per worker; stored
whole (an atomic rename or one PUT) so no reader sees half of one. Every rendition is encoded anew
from pixels only: no EXIF (GPS included), ICC or XMP of the original survives."""

import io
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageOps

from app.media.sizes import Rendition, crop_box, output_size
from app.media.storage import MediaStorage, original_key, renditions_prefix

_QUARTER_TURNS = {5, 6, 7, 8}
_ENCODING = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "progressive": True}),
}


def rendition_key(content_hash: str, rendition: Rendition) -> str:
    return renditions_prefix(content_hash) + rendition.name


def render(original: bytes, width: int, height: int, rendition: Rendition) -> bytes:
    """The rendition's bytes, from the original file; `width` and `height` are the picture's as shown."""
    target = output_size(width, height, rendition)
    box = (
        (0, 0, width, height) if rendition.ratio is None else crop_box(width, height, rendition.ratio, rendition.focus)
    )
    with Image.open(io.BytesIO(original)) as image:
        # JPEGs decode at 1/2, 1/4 or 1/8 scale when that still covers the output: most of the speed.
        scale = target[0] / (box[2] - box[0])
        needed = (math.ceil(width * scale), math.ceil(height * scale))
        if image.getexif().get(0x0112) in _QUARTER_TURNS:
            needed = needed[::-1]
        image.draft("RGB", needed)
        upright = ImageOps.exif_transpose(image)
    shrink = upright.width / width
    left, top, right, bottom = (edge * shrink for edge in box)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and rendition.extension == "jpg":
        # JPEG has no transparency: lay the picture on white, as most pages would show it.
        backdrop = Image.new("RGBA", pixels.size, "white")
        pixels = Image.alpha_composite(backdrop, pixels).convert("RGB")
    resized = pixels.resize(target, Image.Resampling.LANCZOS, box=(left, top, right, bottom), reducing_gap=3.0)
    out = io.BytesIO()
    kind, options = _ENCODING[rendition.extension]
    resized.save(out, kind, **options)
    return out.getvalue()


class Renderer:
    """Renditions for one worker: `concurrency` made at once, each under its own lock."""

    def __init__(self, storage: MediaStorage, *, concurrency: int) -> None:
        self.storage = storage
        self._slots = threading.BoundedSemaphore(concurrency)
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def file(self, content_hash: str, width: int, height: int, rendition: Rendition) -> Path | None:
        """The rendition's file, made now if it is the first request; None when the original is gone."""
        key = rendition_key(content_hash, rendition)
        found = self.storage.open(key)
        if found is not None:
            return found
        with self._lock(key), self.storage.exclusive(key):
            # Someone else may have made it while this request waited.
            found = self.storage.open(key)
            if found is not None:
                return found
            original = self.storage.read(original_key(content_hash))
            if original is None:
                return None
            with self._slots:
                data = render(original, width, height, rendition)
            self.storage.save(key, data, content_type=rendition.content_type)
        return self.storage.open(key)

    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        # One lock per key, dropped when nobody waits on it, so the table stays as small as the work in hand.
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)
