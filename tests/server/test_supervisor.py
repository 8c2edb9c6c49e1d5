"""Workers of `byline serve --workers N` start alike whether a fork server forks them (the script) or the
supervisor itself does (started by the tests' launcher, which has loaded the app already)."""

import signal
from pathlib import Path

import httpx
import pytest

from tests.server import served, wait_until_each_listens, workers_of


def _caught(pid: str) -> set[int]:
    """The signals a process has handlers of its own for."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("SigCgt:"))
    mask = int(line.split()[1], 16)
    return {number for number in range(1, 65) if mask & (1 << (number - 1))}


@pytest.mark.parametrize("as_script", [False, True], ids=["forked-by-the-supervisor", "forked-by-a-fork-server"])
def test_each_worker_listens_on_its_own_socket_and_keeps_no_handler_of_the_supervisor(sqlite_url, as_script):
    with served({"BYLINE_DATABASE_URL": sqlite_url}, workers=2, as_script=as_script) as (server, base):
        workers = workers_of(server.pid)
        assert len(workers) == 2
        assert wait_until_each_listens(workers, int(base.rsplit(":", 1)[1]))
        for worker in workers:
            caught = _caught(worker)
            # uvicorn's own, for a graceful stop; the supervisor's (a restart on SIGHUP, more or fewer
            # workers on SIGTTIN and SIGTTOU) would leave a worker ignoring what should end it.
            assert {signal.SIGINT, signal.SIGTERM} <= caught
            assert not caught & {signal.SIGHUP, signal.SIGTTIN, signal.SIGTTOU}


@pytest.mark.parametrize("as_script", [False, True], ids=["forked-by-the-supervisor", "forked-by-a-fork-server"])
def test_request_ids_of_different_workers_never_repeat(sqlite_url, as_script):
    with served({"BYLINE_DATABASE_URL": sqlite_url}, workers=2, as_script=as_script) as (server, base):
        assert wait_until_each_listens(workers_of(server.pid), int(base.rsplit(":", 1)[1]))
        # A connection each: the kernel spreads them over both workers' sockets.
        ids = [httpx.get(f"{base}/healthz").headers["x-request-id"] for _ in range(60)]
    assert len(set(ids)) == len(ids)
    assert len({made[:16] for made in ids}) == 2, "each worker makes ids of its own"
