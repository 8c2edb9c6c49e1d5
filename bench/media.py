"""First renditions of a 24-megapixel JPEG: Pillow (what Byline uses) against libvips (pyvips, when
installed: `pip install byline[bench]`), per output format, and the peak memory of one process making
8 at once through Byline's renderer. Prints figures with the machine they were measured on."""

import io
import os
import platform
import resource
import statistics
import tempfile
import threading
import time

from PIL import Image, features

from app.media.renditions import Renderer, render
from app.media.sizes import Rendition
from app.media.storage import LocalStorage, original_key

WIDTH, HEIGHT = 6000, 4000
RUNS = 5


def photo() -> bytes:
    image = Image.radial_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def timed(make, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        make()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def pillow_avif(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (1024, 683))
        small = image.convert("RGB").resize((1024, 683), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "AVIF", quality=60)
    return out.getvalue()


def main() -> None:
    data = photo()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"source: {WIDTH}x{HEIGHT} JPEG, {len(data) // 1024} KiB; median of {RUNS} runs, first rendition each time")
    for width in (320, 1024, 2048):
        for extension in ("webp", "jpg"):
            ms = timed(lambda w=width, e=extension: render(data, WIDTH, HEIGHT, Rendition(w, e)))
            print(f"pillow  {width:>5} {extension:<5} {ms:7.1f} ms")
    if features.check("avif"):
        print(f"pillow   1024 avif  {timed(lambda: pillow_avif(data)):7.1f} ms")
    try:
        import pyvips
    except ImportError:
        print("pyvips not installed: `pip install byline[bench]` to compare")
    else:
        for width in (320, 1024, 2048):
            for suffix in (".webp[Q=80]", ".jpg[Q=82]"):
                ms = timed(lambda w=width, s=suffix: pyvips.Image.thumbnail_buffer(data, w).write_to_buffer(s))
                print(f"pyvips  {width:>5} {suffix[1:5]:<5} {ms:7.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        storage = LocalStorage(folder)
        storage.save(original_key("b" * 64), data, content_type="image/jpeg")
        renderer = Renderer(storage, concurrency=2)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        threads = [
            threading.Thread(target=renderer.file, args=("b" * 64, WIDTH, HEIGHT, Rendition(w, e)))
            for w in (320, 640, 1024, 2048)
            for e in ("webp", "jpg")
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"8 first renditions at once (2 at a time): {elapsed * 1000:.0f} ms, "
            f"peak RSS {peak // 1024} MiB (before {before // 1024} MiB)"
        )


if __name__ == "__main__":
    main()
