"""`byline` commands started as forks of one process that has loaded the app, for the tests.

Each server a test starts spent about 2 s of CPU loading the app before it answered; the tests
start dozens. This process loads it once, then forks a child for each command and runs the
command there exactly as the `byline` script would: its own session, arguments, environment,
folder and output files, and its exit status kept for the test to read. A forked child is a real
server process; only the loading is shared. Tests of how `byline` itself starts run the script.

Run as `python preloaded.py FD`, FD one end of a socket pair; each request on it is a JSON object
(with the child's stdout and stderr passed as file descriptors for "start") and gets one answer:
  {"start": [args...], "env": {...}, "cwd": "..."}  ->  {"pid": N}
  {"poll": N}                                        ->  {"returncode": code or null}
"""

import contextlib
import json
import os
import socket
import sys
import tempfile
import time

# Run by its path, the folder of this file comes first on the path; the app is installed.
del sys.path[0]

# What a server's fork server loads for its workers (numpy among it), then the commands; after the
# path is mended.
import app.worker_preload  # noqa: E402, F401
from app.core.startup import collection_paused  # noqa: E402

with collection_paused():
    import app.cli
    import app.serve  # noqa: F401 - loaded for every child

BYLINE = os.path.join(os.path.dirname(sys.executable), "byline")


def _become(request: dict, stdout: int, stderr: int, channel: socket.socket) -> None:
    """In the child: the command, as `byline ARGS` run in a new session; never returns. It ends as
    the script does, through the interpreter's exit, so what modules registered for it runs
    (multiprocessing's removal of its folder among them)."""
    channel.close()
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    for fd, target in ((null, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    tempfile.tempdir = None  # read from TMPDIR again
    os.chdir(request["cwd"])
    sys.argv = [BYLINE, *request["start"]]
    # As the script calls it: its exit status, or an exception's traceback and 1, end the child.
    sys.exit(app.cli.app())


def main(fd: int) -> None:
    channel = socket.socket(fileno=fd)
    ended: dict[int, int] = {}
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 1 << 20, 2)
        if not message:
            return  # the tests are done
        request = json.loads(message)
        if "start" in request:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _become(request, *fds, channel)
            for passed in fds:
                os.close(passed)
            answer: dict[str, int | None] = {"pid": pid}
        else:
            pid = request["poll"]
            if pid not in ended:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    ended[pid] = os.waitstatus_to_exitcode(status)
            answer = {"returncode": ended.get(pid)}
        channel.send(json.dumps(answer).encode())


if __name__ == "__main__":
    # An interrupted run ends its tests too, which close the channel.
    with contextlib.suppress(KeyboardInterrupt):
        main(int(sys.argv[1]))
