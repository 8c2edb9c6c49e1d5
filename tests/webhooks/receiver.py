"""A real HTTP receiver on a free loopback port that records what it is sent and answers as told."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from tests.server import serving


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str = ""
    method: str = "POST"

    @property
    def event(self) -> dict:
        return orjson.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 204
        self.reply = b""
        # Called before answering; a receiver that stalls blocks here.
        self.before_answer: Callable[[Received], None] = lambda _: None
        self.url = ""

    @property
    def events(self) -> list[dict]:
        return [r.event for r in self.received]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A sender that gave up waiting for a stalled answer has closed its end: nothing went wrong here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            got = Received(headers=headers, body=body, path=self.path, method=self.command)
            state.received.append(got)
            state.before_answer(got)
            self.send_response(state.status)
            self.send_header("content-length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

        do_PURGE = do_POST

        def log_message(self, *args) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    with serving(server):
        yield state
