"""Where the server's logs go: uvicorn's own lines and any library's to stderr, Byline's (requests,
errors) to stdout, as one JSON object a line (a traceback in its `exception` field) or as plain text."""

import copy
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

import orjson
from uvicorn.config import LOGGING_CONFIG

# What every LogRecord has; anything else on a record was passed as `extra` and belongs in the line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # orjson: the access log writes a line per request, and the standard encoder costs several times more.
        return orjson.dumps(line, default=str).decode()


class BatchedStreamHandler(logging.StreamHandler[TextIO]):
    """Writes lines in batches instead of one system call per line: at most every `interval`
    seconds, as soon as a batch would reach PIPE_BUF, and at once for warnings and worse. Every
    write is whole lines of at most PIPE_BUF bytes, so the workers sharing one stdout pipe never
    interleave inside a line."""

    PIPE_BUF = 4096

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._pending_bytes = 0
        threading.Thread(target=self._flush_every, args=(interval,), daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        # Called with the handler's lock held.
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        size = len(line.encode())
        if self._pending_bytes + size > self.PIPE_BUF:
            self._write_pending()
        self._pending.append(line)
        self._pending_bytes += size
        if record.levelno >= logging.WARNING:
            self._write_pending()

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending()
        finally:
            self.release()

    def _write_pending(self) -> None:
        if self._pending:
            self.stream.write("".join(self._pending))
            self._pending, self._pending_bytes = [], 0
        self.stream.flush()

    def _flush_every(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            self.flush()


def logging_config(level: str, log_format: Literal["json", "text"] = "json") -> dict[str, Any]:
    """uvicorn's logging configuration plus a handler for the `byline.*` loggers, which otherwise
    have none and drop everything below a warning."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["byline"] = (
        {"()": JsonFormatter} if log_format == "json" else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    if log_format == "json":
        # uvicorn's lines too, and the tracebacks it logs, which otherwise run over many plain lines.
        config["formatters"]["default"] = config["formatters"]["access"] = {"()": JsonFormatter}
    # Other libraries' warnings (psycopg's, asyncio's) would otherwise go out plain through logging's last resort.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    config["handlers"]["byline"] = {
        "formatter": "byline",
        "()": BatchedStreamHandler,
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["byline"] = {"handlers": ["byline"], "level": level.upper(), "propagate": False}
    return config


def skip_unused_record_fields() -> None:
    """No line shows the caller's file, thread or process, and gathering them for every record costs
    more than writing the line (the logging HOWTO's "Optimization" switches)."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def flush_logs() -> None:
    for handler in logging.getLogger("byline").handlers:
        handler.flush()
