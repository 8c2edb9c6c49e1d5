"""Media in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2) through boto3, with a local folder
holding what this server has sent, so it serves files (Range, HEAD) as it does from disk."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.media.storage import checked, file_lock, remove_files, write_atomically

_MISSING = {"404", "NoSuchKey", "NotFound"}


# A lock by name that every server sharing the bucket honours (app.db.locks.across_servers).
ServersLock = Callable[[str], AbstractContextManager[None]]


class S3Storage:
    def __init__(
        self, client: Any, bucket: str, *, prefix: str = "", cache: str | Path, servers_lock: ServersLock | None = None
    ) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.cache = Path(cache)
        self.servers_lock = servers_lock

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        cache: str | Path,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
        servers_lock: ServersLock | None = None,
    ) -> "S3Storage":
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            # Path-style addressing works with every S3-compatible server, virtual hosts only with some.
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        )
        return cls(client, bucket, prefix=prefix, cache=cache, servers_lock=servers_lock)

    def _name(self, key: str) -> str:
        return self.prefix + checked(key)

    def save(self, key: str, data: bytes, *, content_type: str) -> None:
        # One PUT is atomic: readers see the old object or the new one, never a part.
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return bytes(answer["Body"].read())

    def open(self, key: str) -> Path | None:
        # Objects never change under a key (keys are content hashes), so a cached copy is never stale.
        path = self.cache / checked(key)
        if path.is_file():
            return path
        data = self.read(key)
        if data is None:
            return None
        write_atomically(path, data)
        return path

    def delete(self, prefix: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._name(prefix))
        for page in pages:
            names = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if names:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": names, "Quiet": True})
        remove_files(self.cache, prefix)

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        # This machine's processes queue on a file; other servers on the shared lock, when there is one.
        across = self.servers_lock(f"media:{key}") if self.servers_lock else nullcontext()
        with file_lock(self.cache / ".locks", key), across:
            yield
