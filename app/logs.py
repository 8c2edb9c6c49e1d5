"""Where the server's logs go: uvicorn's own lines to stderr, Byline's (requests, errors) to stdout,
as one JSON object a line or as plain text."""

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

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
        return json.dumps(line, default=str)


def logging_config(level: str, log_format: Literal["json", "text"] = "json") -> dict[str, Any]:
    """uvicorn's logging configuration plus a handler for the `byline.*` loggers, which otherwise
    have none and drop everything below a warning."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["byline"] = (
        {"()": JsonFormatter} if log_format == "json" else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    config["handlers"]["byline"] = {
        "formatter": "byline",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["byline"] = {"handlers": ["byline"], "level": level.upper(), "propagate": False}
    return config
