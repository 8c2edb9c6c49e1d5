"""Where media files live, behind one small interface: a folder on this machine, or an S3-compatible
bucket (app.media.s3) with a folder caching what this server sends. Keys are made by the library
from content hashes (`originals/<hash>`, `renditions/<hash>/<name>`), never from a name a client sent."""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

_KEY_PARTS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def original_key(content_hash: str) -> str:
    return f"originals/{content_hash}"


def renditions_prefix(content_hash: str) -> str:
    return f"renditions/{content_hash}/"


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store `data` under `key` whole or not at all: a reader never sees half a file."""

    def open(self, key: str) -> Path | None:
        """A local file holding the object, or None when there is none."""

    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""

    def delete(self, prefix: str) -> None:
        """Remove every object whose key starts with `prefix`."""

    def exclusive(self, key: str) -> AbstractContextManager[None]:
        """Held while one process makes the object `key`, so no other makes it at the same time."""


def checked(key: str) -> str:
    """Keys come from hashes and rendition names; anything else (a `..`, a slash at the start) is a bug."""
    if not key or key.startswith("/") or ".." in key or not set(key.replace("/", "")) <= _KEY_PARTS:
        raise ValueError(f"not a media storage key: {key!r}")
    return key


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: other processes see the old state or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_files(root: Path, prefix: str) -> None:
    """The file `prefix` names under root, or every file of the folder when it ends in a slash."""
    path = root / checked(prefix.rstrip("/"))
    if path.is_dir():
        for child in path.iterdir():
            child.unlink(missing_ok=True)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


@contextmanager
def file_lock(folder: Path, key: str) -> Iterator[None]:
    """An advisory lock every process on this machine shares, one per key."""
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    with open(folder / name, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class LocalStorage:
    """Files under one folder (BYLINE_MEDIA_DIR)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked(key)

    def save(self, key: str, data: bytes, *, content_type: str) -> None:
        write_atomically(self._path(key), data)

    def open(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def read(self, key: str) -> bytes | None:
        path = self.open(key)
        return path.read_bytes() if path else None

    def delete(self, prefix: str) -> None:
        remove_files(self.root, prefix)

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        with file_lock(self.root / ".locks", key):
            yield
