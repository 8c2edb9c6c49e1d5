"""Media on S3-compatible storage, against a real S3 server (moto's) on loopback, started once here."""

import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.main import create_app
from app.media.s3 import S3Storage
from tests.conftest import PROXY_ADDRESS
from tests.media.pictures import opened, photo
from tests.server import free_port

BUCKET = "byline-media"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing-secret"}


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
            httpx.get(endpoint, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto_server did not start") from None
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
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
    with TestClient(create_app(settings, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        media = client.post(
            "/api/v1/media", files={"file": ("p.jpg", photo(900, 600), "image/jpeg")}, headers=key
        ).json()
        r = client.get(media["url"].removeprefix("http://testserver"))
        assert r.status_code == 200 and opened(r.content).size == (900, 600)
    bucket = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    names = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"originals/{media['content_hash']}", f"renditions/{media['content_hash']}/900.jpg"} <= names
