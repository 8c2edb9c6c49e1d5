"""Encoded answers held in memory, bounded by count and by bytes, least recently used out first.

Used only from the event loop's thread, so it needs no lock."""

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from app.caching.responses.encoding import compress, encoded_etag
from app.caching.responses.purges import Built
from app.server.http_protocol import header_lines


@dataclass
class Entry:
    # What it was built from; None if that is unknown (sent, never kept).
    built: Built | None
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    last_modified: str | None
    compressible: bool
    # The matched route, so cached answers are logged and counted under it.
    route: Any = None
    # When it was built (time.time()): its Age if it is sent stale.
    built_at: float = field(default_factory=time.time)
    # Per content-coding: the headers and body to send, built on first use.
    answers: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = field(default_factory=dict)
    # Per content-coding: the same headers but the length, as checked and joined header lines.
    joined: dict[str, bytes] = field(default_factory=dict)
    # The last content state it was found to show, so it is checked again only once the state moves.
    shown_under: object = None
    # For an answer that changes without a write (most read): when it ends whatever the state (time.time()).
    expires_at: float | None = None

    def answer(self, encoding: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
        if encoding not in self.answers:
            body = self.body if encoding == "identity" else compress(self.body, encoding)
            headers = [*self.headers, (b"etag", encoded_etag(self.etag, encoding).encode())]
            if encoding != "identity":
                headers.append((b"content-encoding", encoding.encode()))
            self.joined[encoding] = header_lines(headers)
            headers.append((b"content-length", str(len(body)).encode()))
            self.answers[encoding] = (headers, body)
        return self.answers[encoding]

    @property
    def size(self) -> int:
        # The uncoded answer's body is the entry's own, counted once.
        sent = sum(
            (0 if body is self.body else len(body)) + sum(len(n) + len(v) for n, v in headers)
            for headers, body in self.answers.values()
        )
        sent += sum(len(lines) for lines in self.joined.values())
        return len(self.body) + sent + sum(len(n) + len(v) for n, v in self.headers)


class ResponseStore:
    # No answer may take more than this share of the store: one large picture would push out
    # thousands of small answers.
    LARGEST_SHARE = 16

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        self._drop(key)
        if len(entry.body) > self._max_bytes // self.LARGEST_SHARE:
            return
        self._entries[key] = entry
        self._account(key, entry)

    def resized(self, key: Hashable) -> None:
        """An entry gained an encoding; count its bytes."""
        entry = self._entries.get(key)
        if entry is not None:
            self.bytes -= self._sizes[key]
            self._account(key, entry)

    def _account(self, key: Hashable, entry: Entry) -> None:
        self._sizes[key] = entry.size
        self.bytes += entry.size
        while self._entries and (len(self._entries) > self._max_entries or self.bytes > self._max_bytes):
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        if self._entries.pop(key, None) is not None:
            self.bytes -= self._sizes.pop(key)
