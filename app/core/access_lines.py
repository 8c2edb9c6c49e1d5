"""Access lines: method, path, route, status, time and request id. Never the client's address or
the query string, which may carry an email address or a token. A request the database failed is
logged at warning with the reason, in its one line: an outage writes no line beside the requests'."""

import itertools
import logging
import os
import re
import time

from starlette.types import Scope

from app.metrics import counters as metrics

log = logging.getLogger("byline.access")

# A caller's own request id is kept when it is plainly an id, so it can be followed across services.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


# A made id is this process's random prefix and a count: unique without a system call per request.
_PREFIX = ""
_made = itertools.count()


def _own_prefix() -> None:
    global _PREFIX, _made
    _PREFIX, _made = os.urandom(8).hex(), itertools.count()


_own_prefix()
# Workers are forked from a process that loaded this module: each draws a prefix of its own.
os.register_at_fork(after_in_child=_own_prefix)


def request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _REQUEST_ID.fullmatch(value):
                return str(value.decode())
            break
    return f"{_PREFIX}{next(_made):016x}"


# Where a failure is noted in the request's state, which every copy of its scope shares.
_FAILURE = "byline.failure"


def note_failure(scope: Scope, why: str) -> None:
    """Have the request's access line say why it failed (or was answered from a stale copy)."""
    scope.setdefault("state", {})[_FAILURE] = why


def record(scope: Scope, status: int, began: float, request_id: str) -> None:
    """Count and log one answered request; `began` is its time.perf_counter() on arrival."""
    elapsed = (time.perf_counter() - began) * 1000
    route = getattr(scope.get("route"), "path", None)
    metrics.observe_request(scope["method"], route, status, elapsed / 1000)
    line = {
        "method": scope["method"],
        "path": scope["path"],
        "route": route,
        "status": status,
        "duration_ms": round(elapsed, 1),
        "request_id": request_id,
    }
    failure = scope.get("state", {}).get(_FAILURE)
    if failure is None:
        log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed, extra=line)
    else:
        line["failure"] = failure
        log.warning("%s %s %d %.1fms: %s", scope["method"], scope["path"], status, elapsed, failure, extra=line)
