"""Media on S3-compatible storage, against a real S3 server (moto's) on loopback, started once here."""

import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import boto3
import httpx
import pytest

from app.core.settings import Settings
from app.db.locks import across_servers
from app.demo.loader import demo_content
from app.main import create_app
from app.media.renditions import Renderer, rendition_key
from app.media.s3 import S3Storage
from app.media.sizes import Rendition
from app.media.storage import original_key
from tests import loopback
from tests.app_client import AppClient
from tests.conftest import BACKENDS, PROXY_ADDRESS
from tests.media.pictures import opened, photo
from tests.server import free_port, run_in_process

BUCKET = "byline-media"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing-secret"}


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            loopback.get(endpoint, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto_server did not start") from None
    client = _client(endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def storage(s3_endpoint, tmp_path):
    return S3Storage.connect(
        BUCKET, cache=tmp_path, endpoint_url=s3_endpoint, region="us-east-1", prefix="test/", **CREDENTIALS
    )


def test_objects_round_trip_and_are_deleted_by_prefix(storage):
    storage.save("renditions/abc/320.webp", b"one", content_type="image/webp")
    storage.save("renditions/abc/640.webp", b"two", content_type="image/webp")
    assert storage.read("renditions/abc/640.webp") == b"two"
    assert storage.open("renditions/abc/320.webp").read_bytes() == b"one"
    storage.delete("renditions/abc/")
    assert storage.read("renditions/abc/640.webp") is None
    assert storage.open("renditions/abc/320.webp") is None


def test_an_app_on_s3_stores_the_original_and_serves_renditions(s3_endpoint, settings, clock, api_key, tmp_path):
    settings = Settings.model_validate(
        settings.model_dump()
        | {
            "media_storage": "s3",
            "media_s3_bucket": BUCKET,
            "media_s3_endpoint_url": s3_endpoint,
            "media_s3_region": "us-east-1",
            "media_s3_access_key": CREDENTIALS["access_key"],
            "media_s3_secret_key": CREDENTIALS["secret_key"],
            "media_dir": str(tmp_path / "cache"),
        }
    )
    key = api_key("media:write")
    with AppClient(create_app(settings, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        media = client.post(
            "/api/v1/media", files={"file": ("p.jpg", photo(900, 600), "image/jpeg")}, headers=key
        ).json()
        r = client.get(media["url"].removeprefix("http://testserver"))
        assert r.status_code == 200 and opened(r.content).size == (900, 600)
    bucket = _client(s3_endpoint)
    names = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"originals/{media['content_hash']}", f"renditions/{media['content_hash']}/900.jpg"} <= names


@pytest.mark.parametrize("database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True)
def test_servers_sharing_a_bucket_and_postgresql_make_each_rendition_once_between_them(s3_endpoint, engine, tmp_path):
    """Two servers (each its own folder, so no lock file is shared) asked for one new rendition at
    once, four requests each: the bucket, which keeps every version written, holds one."""
    bucket = "byline-versioned"
    admin = _client(s3_endpoint)
    admin.create_bucket(Bucket=bucket)
    admin.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    servers = [
        S3Storage.connect(
            bucket,
            cache=tmp_path / name,
            endpoint_url=s3_endpoint,
            region="us-east-1",
            servers_lock=partial(across_servers, engine),
            **CREDENTIALS,
        )
        for name in ("one", "two")
    ]
    servers[0].save(original_key("cafe01"), photo(1600, 1000), content_type="image/jpeg")
    rendition = Rendition(640, "webp")
    renderers = [Renderer(storage, concurrency=2) for storage in servers]
    start = threading.Barrier(8)
    made: list[bytes] = []

    def request(renderer: Renderer) -> None:
        start.wait()
        made.append(renderer.file("cafe01", 1600, 1000, rendition).read_bytes())

    threads = [threading.Thread(target=request, args=(renderer,)) for renderer in renderers for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    versions = admin.list_object_versions(Bucket=bucket, Prefix=rendition_key("cafe01", rendition))["Versions"]
    assert len(versions) == 1
    assert len(made) == 8 and len(set(made)) == 1 and opened(made[0]).size == (640, 400)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_stores_its_photographs_in_the_bucket_its_settings_name_and_removes_them(
    s3_endpoint, database_url, tmp_path
):
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_MEDIA_STORAGE": "s3",
        "BYLINE_MEDIA_S3_BUCKET": BUCKET,
        "BYLINE_MEDIA_S3_ENDPOINT_URL": s3_endpoint,
        "BYLINE_MEDIA_S3_REGION": "us-east-1",
        "BYLINE_MEDIA_S3_PREFIX": "demo/",
        "BYLINE_MEDIA_S3_ACCESS_KEY": CREDENTIALS["access_key"],
        "BYLINE_MEDIA_S3_SECRET_KEY": CREDENTIALS["secret_key"],
        "BYLINE_MEDIA_DIR": str(tmp_path / "cache"),
    }
    bucket = _client(s3_endpoint)

    def originals() -> list[str]:
        return [
            item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET, Prefix="demo/originals/").get("Contents", [])
        ]

    photos = len(demo_content()["photos"])
    run_in_process("demo", "load", env=env)
    assert len(originals()) == photos
    assert f"{photos} photograph(s)" in run_in_process("demo", "remove", env=env).stderr
    assert originals() == []
