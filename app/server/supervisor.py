"""uvicorn's worker supervisor, saying when it replaces a worker (uvicorn itself notes a dead or hung
worker only at INFO, which a production log level hides, though every connection of that worker was
dropped), a listening socket of each worker's own, and workers that end with their supervisor."""

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
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


# prctl(2)'s option: the signal a process gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1


def end_with_supervisor() -> None:
    """In a worker of `byline serve --workers N`: stop (as on SIGTERM) when the supervisor ends, even
    by `kill -9`. uvicorn's workers otherwise lived on without it, still listening on the port (a
    restarted server binds beside them, SO_REUSEPORT allowing it, and they kept answering with
    the old code and settings) and holding their database connections, until killed one by one."""
    parent = multiprocessing.parent_process()
    if parent is None or sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent.pid:
        os.kill(os.getpid(), signal.SIGTERM)  # it ended before the request above was made
