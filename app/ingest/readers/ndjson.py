"""NDJSON (one record a line) and JSON arrays of records, from files, gzipped files or directories of them."""

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import ijson
import orjson

from app.ingest.readers.source import SourceRecord


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _files(source: str, patterns: tuple[str, ...]) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        return sorted(p for pattern in patterns for p in path.glob(pattern))
    return [path]


def _record(position: str, value: object) -> SourceRecord:
    if not isinstance(value, dict):
        return SourceRecord(position, None, error=f"a record is a JSON object, not {type(value).__name__}")
    return SourceRecord(position, value)


def read_ndjson(source: str) -> Iterator[SourceRecord]:
    for path in _files(source, ("*.ndjson", "*.jsonl", "*.ndjson.gz", "*.jsonl.gz")):
        with _open_binary(path) as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                position = f"{path.name}:{number}"
                try:
                    yield _record(position, orjson.loads(line))
                except orjson.JSONDecodeError as bad:
                    yield SourceRecord(position, None, error=f"not JSON: {bad}")


def read_json_array(source: str) -> Iterator[SourceRecord]:
    """Item by item, never the whole array in memory."""
    for path in _files(source, ("*.json", "*.json.gz")):
        index = -1
        with _open_binary(path) as data:
            try:
                for index, item in enumerate(ijson.items(data, "item", use_float=True)):
                    yield _record(f"{path.name}[{index}]", item)
            except ijson.JSONError as bad:
                yield SourceRecord(f"{path.name}[{index + 1}]", None, error=f"not a JSON array of records: {bad}")
