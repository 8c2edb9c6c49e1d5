"""Log lines leave in batches of whole lines, soon, and at once when something is wrong."""

import io
import json
import logging
import subprocess
import sys
import time

from app.core.logs import BatchedStreamHandler, JsonFormatter


class Recording(io.StringIO):
    """A stream that remembers each write, as a pipe would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def _logger(stream: Recording, interval: float) -> logging.Logger:
    handler = BatchedStreamHandler(stream, interval=interval)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"byline.test.{id(stream)}")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.INFO
    return logger


def test_lines_are_written_in_whole_line_batches_no_larger_than_a_pipe_writes_at_once():
    stream = Recording()
    logger = _logger(stream, interval=60)
    for n in range(200):
        logger.info("request %d", n, extra={"route": "/api/v1/articles/{slug}"})
    assert len(stream.writes) < 20
    assert all(len(write.encode()) <= BatchedStreamHandler.PIPE_BUF and write.endswith("\n") for write in stream.writes)
    logger.warning("database unavailable")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == [f"request {n}" for n in range(200)] + ["database unavailable"]


def test_a_quiet_servers_last_lines_still_arrive_within_the_interval():
    stream = Recording()
    logger = _logger(stream, interval=0.05)
    logger.info("the only request")
    assert stream.getvalue() == ""
    deadline = time.monotonic() + 5
    while "the only request" not in stream.getvalue():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_uvicorns_tracebacks_and_other_libraries_warnings_are_json_lines_too():
    program = """
import logging, logging.config
from app.core.logs import logging_config
logging.config.dictConfig(logging_config("info"))
try:
    raise RuntimeError("boom")
except RuntimeError:
    logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
logging.getLogger("psycopg").warning("error ignored terminating the pipeline")
"""
    written = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stderr
    lines = [json.loads(line) for line in written.splitlines()]
    assert [line["logger"] for line in lines] == ["uvicorn.error", "psycopg"]
    assert "RuntimeError: boom" in lines[0]["exception"]
