"""First renditions of a 24-megapixel JPEG: Byline's renderer (libvips, through pyvips) against Pillow
doing the same (reduced-scale JPEG decoding, Lanczos), per output format, the peak memory of one
process making 8 at once through Byline's renderer, and stored renditions (of that picture and of a
real photograph) served by `byline serve` against nginx serving the same files (wrk and nginx
installed by `make bench`). Prints figures with
the machine they were measured on."""

import io
import multiprocessing
import os
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyvips
from PIL import Image, features
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.core.clock import utcnow
from app.db.engines import build_engine
from app.media.renditions import Renderer, render
from app.media.sizes import Rendition
from app.media.storage import LocalStorage, original_key
from app.wiring import upgrade_database
from bench.suite import NGINX, SECRET, WRK, Nginx, Scenario, Server

WIDTH, HEIGHT = 6000, 4000
RUNS = 5
KEY = "b" * 64
# A real photograph of the demo newsroom (1280 x 852; its licence is in the folder's SOURCES.md),
# whose default rendition weighs what a news photograph's does, unlike the smooth gradient.
PHOTOGRAPH = Path(__file__).resolve().parent.parent / "app" / "demo" / "photos" / "aitzgorri.jpg"
# Byline's default BYLINE_MEDIA_RENDER_CONCURRENCY.
CONCURRENCY = 2


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


def pillow(data: bytes, width: int, kind: str, **options: object) -> bytes:
    size = (width, round(width * HEIGHT / WIDTH))
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", size)
        small = image.convert("RGB").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    small.save(out, kind, **options)
    return out.getvalue()


def avif(data: bytes) -> bytes:
    return bytes(pyvips.Image.thumbnail_buffer(data, 1024).write_to_buffer(".avif", Q=60, keep="none"))


def main() -> None:
    # As Byline's renderer sets it: no operation cache, so every run is a first rendition.
    pyvips.cache_set_max(0)
    data = photo()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"source: {WIDTH}x{HEIGHT} JPEG, {len(data) // 1024} KiB; median of {RUNS} runs, first rendition each time")
    for width in (320, 1024, 2048):
        for extension in ("webp", "jpg"):
            ms = timed(lambda w=width, e=extension: render(data, WIDTH, HEIGHT, Rendition(w, e)))
            print(f"byline (libvips) {width:>5} {extension:<5} {ms:7.1f} ms")
    for width in (320, 1024, 2048):
        for kind, options in (("WEBP", {"quality": 80, "method": 4}), ("JPEG", {"quality": 82, "progressive": True})):
            ms = timed(lambda w=width, k=kind, o=options: pillow(data, w, k, **o))
            print(f"pillow           {width:>5} {kind.lower():<5} {ms:7.1f} ms")
    if features.check("avif"):
        print(f"pillow            1024 avif  {timed(lambda: pillow(data, 1024, 'AVIF', quality=60)):7.1f} ms")
    print(f"libvips           1024 avif  {timed(lambda: avif(data)):7.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        LocalStorage(folder).save(original_key(KEY), data, content_type="image/jpeg")
        # A fresh process, so the peak is the renderer's own and not this one's earlier work.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            elapsed, before, peak = pool.apply(eight_at_once, (folder,))
    print(
        f"8 first renditions at once ({CONCURRENCY} at a time): {elapsed * 1000:.0f} ms, "
        f"peak RSS {peak // 1024} MiB (before {before // 1024} MiB)"
    )
    if os.access(WRK, os.X_OK) and os.access(NGINX, os.X_OK):
        served_against_nginx({"the gradient above": data, "a photograph": PHOTOGRAPH.read_bytes()})
    else:
        print("served against nginx: skipped, wrk and nginx are needed (`make bench` installs them)")


def served_against_nginx(pictures: dict[str, bytes], seconds: int = 5) -> None:
    """Each picture's default rendition, once made, requested over and over from `byline serve` (two
    workers) and from nginx serving the same bytes at the same path."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade_database(url)
        engine = build_engine(url)
        with Session(engine) as session:
            _, key = issue_key(session, secret_key=SECRET, name="bench", scopes=[Scope.media_write], now=utcnow())
        engine.dispose()
        env = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_SECRET_KEY": SECRET,
            "BYLINE_MEDIA_DIR": f"{folder}/media",
            "BYLINE_LOG_LEVEL": "warning",
        }
        server = Server(env)
        try:
            for number, (name, data) in enumerate(pictures.items()):
                uploaded = httpx.post(
                    f"{server.base}/api/v1/media",
                    files={"file": ("photo.jpg", data, "image/jpeg")},
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=60,
                ).raise_for_status()
                path = httpx.URL(uploaded.json()["url"]).raw_path.decode()
                rendition = httpx.get(server.base + path, timeout=60).raise_for_status().content
                case = Scenario(f"{name}, default rendition ({len(rendition) // 1024} KiB)", [path])
                nginx = Nginx(Path(folder) / f"nginx{number}", {path: rendition}, "/unused")
                try:
                    ceiling = nginx.measure(case, seconds)
                finally:
                    nginx.stop()
                byline = server.measure(case, seconds)
                print(
                    f"{case.name}: byline serve {byline.requests_per_second:,.0f}/s (p99 {byline.p99_ms:.1f} ms), "
                    f"nginx {ceiling.requests_per_second:,.0f}/s: "
                    f"{byline.requests_per_second / ceiling.requests_per_second:.2f}",
                    flush=True,
                )
        finally:
            server.stop()


def eight_at_once(folder: str) -> tuple[float, int, int]:
    renderer = Renderer(LocalStorage(folder), concurrency=CONCURRENCY)
    before = peak_rss()
    threads = [
        threading.Thread(target=renderer.file, args=(KEY, WIDTH, HEIGHT, Rendition(w, e)))
        for w in (320, 640, 1024, 2048)
        for e in ("webp", "jpg")
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, before, peak_rss()


def peak_rss() -> int:
    """This process's peak resident memory in KiB: the kernel's high-water mark, which (unlike
    getrusage's) starts afresh in a new program."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


if __name__ == "__main__":
    main()
