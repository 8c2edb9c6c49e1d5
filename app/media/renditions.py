"""Making renditions with libvips (chosen by bench/media.py's measurements, see docs/how-to/media.md): made
once, on first request, under a lock per rendition, at most a few at a time per worker; stored
whole (an atomic rename or one PUT) so no reader sees half of one. Every rendition is encoded anew
from pixels only: no EXIF (GPS included), ICC or XMP of the original survives."""

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyvips

from app.media.sizes import Rendition, crop_box, output_size
from app.media.storage import MediaStorage, original_key, renditions_prefix

# `keep="none"` drops every piece of metadata, ICC profiles included (the pixels are sRGB by then).
# WebP effort 2 encodes a 2048-pixel picture in about half the time of 4 (see docs/how-to/media.md).
_ENCODING = {
    "webp": (".webp", {"Q": 80, "effort": 2, "keep": "none"}),
    "jpg": (".jpg", {"Q": 82, "interlace": True, "keep": "none"}),
}
_WHITE = [255, 255, 255]


def rendition_key(content_hash: str, rendition: Rendition) -> str:
    return renditions_prefix(content_hash) + rendition.name


def render(original: bytes, width: int, height: int, rendition: Rendition) -> bytes:
    """The rendition's bytes, from the original file; `width` and `height` are the picture's as shown."""
    target_w, target_h = output_size(width, height, rendition)
    left, top, right, bottom = (
        (0, 0, width, height) if rendition.ratio is None else crop_box(width, height, rendition.ratio, rendition.focus)
    )
    # The whole picture at the scale the crop needs: libvips decodes JPEGs (and WebPs) at a reduced
    # scale when that covers it and turns it upright by its EXIF orientation.
    scale = target_w / (right - left)
    whole_w = target_w if rendition.ratio is None else max(math.ceil(width * scale), target_w)
    whole_h = target_h if rendition.ratio is None else max(math.ceil(height * scale), target_h)
    image = pyvips.Image.thumbnail_buffer(original, whole_w, height=whole_h, size="force")
    if image.get_typeof("icc-profile-data"):
        # Colour-managed at the small size: cheap, where asking thumbnail for sRGB costs a full decode.
        image = image.icc_transform("srgb", embedded=True)
    if rendition.ratio is not None:
        x = min(round(left * scale), whole_w - target_w)
        y = min(round(top * scale), whole_h - target_h)
        image = image.crop(x, y, target_w, target_h)
    image = image.colourspace("srgb")
    if image.hasalpha() and rendition.extension == "jpg":
        # JPEG has no transparency: lay the picture on white, as most pages would show it.
        image = image.flatten(background=_WHITE)
    suffix, options = _ENCODING[rendition.extension]
    return bytes(image.write_to_buffer(suffix, **options))


class Renderer:
    """Renditions for one worker: `concurrency` made at once, each under its own lock."""

    def __init__(self, storage: MediaStorage, *, concurrency: int) -> None:
        self.storage = storage
        # libvips' operation cache would keep originals alive between renditions: memory stays bounded
        # by the renditions in hand. Loaders of formats never accepted stay out of reach.
        pyvips.cache_set_max(0)
        pyvips.block_untrusted_set(True)
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
