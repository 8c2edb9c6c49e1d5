"""Which renditions a picture has: widths, crops to fixed aspect ratios around its focal point,
formats, and their names. A name says everything its image depends on, so its URL never changes
meaning and may be cached for good."""

import re
from dataclasses import dataclass

# Never wider than the original: a picture narrower than the largest width lists its own width last.
WIDTHS = (320, 640, 1024, 1600, 2048)
DEFAULT_WIDTH = 1024
RATIOS = ((1, 1), (4, 3), (16, 9))
# The ratios as the API names them (`crops` keys, an image's `crop`).
CROPS = tuple(f"{across}:{down}" for across, down in RATIOS)
# WebP for every browser in use today, JPEG for the rest; AVIF is not made (see docs/how-to/media.md's measurements).
FORMATS = {"webp": "image/webp", "jpg": "image/jpeg"}
_NAME = re.compile(r"^(\d{1,4})(?:-(\d{1,2})x(\d{1,2})-(\d{1,4})-(\d{1,4}))?\.([a-z]{3,4})$")


@dataclass(frozen=True)
class Rendition:
    """One rendition: its width, the aspect ratio it is cropped to (with the focal point in
    thousandths), and its format's extension."""

    width: int
    extension: str
    ratio: tuple[int, int] | None = None
    focus: tuple[int, int] = (500, 500)

    @property
    def name(self) -> str:
        if self.ratio is None:
            return f"{self.width}.{self.extension}"
        (across, down), (x, y) = self.ratio, self.focus
        return f"{self.width}-{across}x{down}-{x}-{y}.{self.extension}"

    @property
    def content_type(self) -> str:
        return FORMATS[self.extension]


def parse(name: str) -> Rendition | None:
    found = _NAME.match(name)
    if found is None or found[6] not in FORMATS:
        return None
    width = int(found[1])
    if found[2] is None:
        return Rendition(width, found[6])
    return Rendition(width, found[6], (int(found[2]), int(found[3])), (int(found[4]), int(found[5])))


def widths(width: int) -> list[int]:
    return [w for w in WIDTHS if w < width] + ([width] if width <= WIDTHS[-1] else [])


def crop_box(width: int, height: int, ratio: tuple[int, int], focus: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest region of that ratio, centred on the focal point as far as the edges allow."""
    across, down = ratio
    crop_w, crop_h = (
        (height * across // down, height) if width * down > height * across else (width, width * down // across)
    )
    crop_w, crop_h = max(crop_w, 1), max(crop_h, 1)
    left = min(max(round(width * focus[0] / 1000 - crop_w / 2), 0), width - crop_w)
    top = min(max(round(height * focus[1] / 1000 - crop_h / 2), 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def focus_of(focal_x: float, focal_y: float) -> tuple[int, int]:
    return round(focal_x * 1000), round(focal_y * 1000)


def listed(width: int, height: int, focus: tuple[int, int], rendition: Rendition) -> bool:
    """Whether the picture lists this rendition: only those are made, so nobody can ask for thousands."""
    if rendition.ratio is None:
        return rendition.width in widths(width)
    if rendition.ratio not in RATIOS or rendition.focus != focus:
        return False
    left, top, right, bottom = crop_box(width, height, rendition.ratio, focus)
    return rendition.width in widths(right - left)


def output_size(width: int, height: int, rendition: Rendition) -> tuple[int, int]:
    if rendition.ratio is None:
        return rendition.width, max(1, round(rendition.width * height / width))
    across, down = rendition.ratio
    return rendition.width, max(1, round(rendition.width * down / across))


def ratio_of(crop: str) -> tuple[int, int]:
    across, down = crop.split(":")
    return int(across), int(down)


def default_size(width: int, height: int, ratio: tuple[int, int] | None = None) -> tuple[int, int]:
    """The size of a picture's `url` rendition (or of its crop's, `width` by `height` being the
    crop's): the listed width nearest DEFAULT_WIDTH from below."""
    return output_size(width, height, Rendition(min(width, DEFAULT_WIDTH), "jpg", ratio))


def every(width: int, height: int, focus: tuple[int, int]) -> list[Rendition]:
    """Every rendition the picture lists: each width in each format, and the WebP crops."""
    whole = [Rendition(w, extension) for extension in FORMATS for w in widths(width)]
    crops = []
    for ratio in RATIOS:
        left, _, right, _ = crop_box(width, height, ratio, focus)
        crops += [Rendition(w, "webp", ratio, focus) for w in widths(right - left)]
    return whole + crops
