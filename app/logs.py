"""Where the server's logs go: uvicorn's own lines to stderr, Byline's (requests, errors) to stdout."""

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG


def logging_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration plus a handler for the `byline.*` loggers, which otherwise
    have none and drop everything below a warning."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["byline"] = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    config["handlers"]["byline"] = {
        "formatter": "byline",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["byline"] = {"handlers": ["byline"], "level": level.upper(), "propagate": False}
    return config
