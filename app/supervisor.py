"""uvicorn's worker supervisor, saying when it replaces a worker (uvicorn itself notes a dead or hung
worker only at INFO, which a production log level hides, though every connection of that worker was
dropped), and a listening socket of each worker's own."""

import logging
import socket
from typing import Any

from uvicorn.supervisors import Multiprocess

log = logging.getLogger("byline.server")

# How long a worker may leave the supervisor's ping unanswered before it is killed and replaced. A
# worker busy on a loaded machine answers late, and killing it drops every request it holds.
HEALTHCHECK_SECONDS = 30


class Supervisor(Multiprocess):
    def keep_subprocess_alive(self) -> None:
        before = list(self.processes)
        super().keep_subprocess_alive()
        for old, new in zip(before, self.processes, strict=True):
            if new is not old:
                log.warning(
                    "worker %s died or left a health check unanswered for %s s (exit code %s); worker %s replaces it",
                    old.pid,
                    self.config.timeout_worker_healthcheck,
                    old.exitcode,
                    new.pid,
                )


class WorkerSocket(socket.socket):
    """The server's address, bound anew by each worker that receives it (SO_REUSEPORT), so that the
    kernel spreads new connections evenly over the workers. One socket shared by every worker, as
    uvicorn hands them out, goes to whichever worker wakes first: under a burst of new connections
    one worker often took nearly all of them, and two workers served like one (comment submission
    about 850 a second with one core idle, against about 1,200 spread over both). A worker's socket
    closes with it, so no connection waits for a worker that is gone.

    The supervisor's own copy is bound, to claim the address and fail early when it is taken, but
    never listens, so it is given no connections."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return bind_worker_socket, (self.family, host, port)


def bind_worker_socket(family: socket.AddressFamily, host: str, port: int) -> WorkerSocket:
    bound = WorkerSocket(family, socket.SOCK_STREAM)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind((host, port))
    except OSError:
        bound.close()
        raise
    return bound


def supervisor_socket(host: str, port: int) -> WorkerSocket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return bind_worker_socket(family, host, port)
