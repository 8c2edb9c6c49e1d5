"""uvicorn's worker supervisor, saying when it replaces a worker (uvicorn itself notes a dead or hung
worker only at INFO, which a production log level hides, though every connection of that worker was
dropped), workers forked from a process that has loaded the app, a listening socket of each worker's
own, and workers that end with their supervisor."""

import logging
import multiprocessing
import os
import pickle
import select
import signal
import socket
import sys
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

from uvicorn import _subprocess
from uvicorn.config import Config
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import SIGNALS

log = logging.getLogger("byline.server")

# How long a worker may leave the supervisor's ping unanswered before it is killed and replaced. A
# worker busy on a loaded machine answers late, and killing it drops every request it holds.
HEALTHCHECK_SECONDS = 30


class Supervisor(Multiprocess):
    """Workers are forked from multiprocessing's fork server, which loads `preload` once: each worker
    (and each replacement) starts in a fraction of a second instead of loading the app itself, and
    shares the loaded pages with the others. The supervisor itself still loads no app.

    A supervisor that was itself forked from a process holding `preload` already (as a test suite's
    launcher does) forks its workers directly: a fork server would only load the same again."""

    def __init__(self, config: Config, sockets: list[socket.socket], *, preload: list[str]) -> None:
        super().__init__(config, sockets)
        context: Any
        if all(name in sys.modules for name in preload):
            context = _ForkedWorkers()
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(preload)
        # uvicorn starts every worker through this module's context.
        _subprocess.spawn = context

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


class _ForkedWorkers:
    """Workers forked from the supervisor, each starting as one from the fork server would: its
    sockets bound anew (as unpickling binds them) and the supervisor's signal handlers undone."""

    def Process(self, *, target: Callable[..., None], kwargs: dict[str, Any]) -> BaseProcess:  # noqa: N802 - a multiprocessing context's name
        # Rebuilt in the worker, by the recipe a fork server's worker unpickles.
        recipes = [sock.__reduce_ex__(pickle.DEFAULT_PROTOCOL) for sock in kwargs["sockets"]]
        fork = multiprocessing.get_context("fork")
        return fork.Process(target=_started_as_from_a_fork_server, args=(target, kwargs, recipes))


def _started_as_from_a_fork_server(target: Callable[..., None], kwargs: dict[str, Any], recipes: list) -> None:
    # As a new interpreter starts: Ctrl-C raises KeyboardInterrupt, every other signal its default.
    for handled in SIGNALS:
        signal.signal(handled, signal.default_int_handler if handled == signal.SIGINT else signal.SIG_DFL)
    for inherited in kwargs["sockets"]:
        inherited.close()
    target(**kwargs | {"sockets": [rebuild(*arguments) for rebuild, arguments in recipes]})


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


def end_with_supervisor() -> None:
    """In a worker of `byline serve --workers N`: stop (as on SIGTERM) when the supervisor ends, even
    by `kill -9`. uvicorn's workers otherwise lived on without it, still listening on the port (a
    restarted server binds beside them, SO_REUSEPORT allowing it, and they kept answering with
    the old code and settings) and holding their database connections, until killed one by one.

    A worker's parent is the fork server when there is one, so it watches the supervisor itself: a
    process descriptor becomes readable when its process ends (at once if it has ended already)."""
    supervisor = multiprocessing.parent_process()
    if supervisor is None or supervisor.pid is None or sys.platform != "linux":
        return
    try:
        descriptor = os.pidfd_open(supervisor.pid)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGTERM)
        return
    threading.Thread(target=_stop_when_readable, args=(descriptor,), name="supervisor-watch", daemon=True).start()


def _stop_when_readable(descriptor: int) -> None:
    select.select([descriptor], [], [])
    os.kill(os.getpid(), signal.SIGTERM)
