"""A real `byline serve` process on a free loopback port, for tests and benchmarks; and an app served
in the test's own process by the protocol `byline serve` runs."""

import asyncio
import functools
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from typer.testing import CliRunner
from uvicorn.server import ServerState

from app.cli import app as byline
from app.core.outbound import Destinations
from app.core.settings import Settings
from app.demo.loader import load_demo
from app.server.http_protocol import DeadlineHttpProtocol
from tests import loopback

BYLINE = str(Path(sys.executable).with_name("byline"))
# Test receivers and feeds listen on loopback; outbound requests otherwise reach only public addresses.
LOOPBACK = Destinations.allowing(["127.0.0.1"])


def exchange(
    app: Any, request: bytes, protocol: type[DeadlineHttpProtocol] = DeadlineHttpProtocol, **config: Any
) -> bytes:
    """`request` (one or several, pipelined) sent in one write to `app` served on loopback by the
    installed uvicorn through `protocol`, and every byte it answered until it closed the connection."""

    async def served() -> bytes:
        # Forwarded headers are the app's own to read, as under `byline serve`.
        loaded = uvicorn.Config(app, http=protocol, lifespan="off", log_config=None, proxy_headers=False, **config)
        loaded.load()
        state = ServerState()
        server = await asyncio.get_running_loop().create_server(lambda: protocol(loaded, state, {}), "127.0.0.1", 0)
        async with server:
            reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
            writer.write(request)
            answer = await reader.read()
            writer.close()
        return answer

    return asyncio.run(served())


def run_in_process(
    *args: str, env: dict[str, str], check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`byline ARGS` run in this process through the root command (its callback included) with only
    the BYLINE_ settings given: the commands a child would run, without a start-up for each. test_cli
    runs the script itself."""
    isolated = {name: None for name in os.environ if name.startswith("BYLINE_")} | {"COLUMNS": "200"} | env
    with _consoles_as_wide_as(int(isolated["COLUMNS"] or 80)):
        result = CliRunner().invoke(byline, list(args), env=isolated, prog_name="byline", input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if check and result.exit_code != 0:
        raise subprocess.CalledProcessError(result.exit_code, ["byline", *args], result.stdout, result.stderr)
    return subprocess.CompletedProcess(["byline", *args], result.exit_code, result.stdout, result.stderr)


@contextmanager
def _consoles_as_wide_as(columns: int) -> Iterator[None]:
    """The commands' rich consoles print `columns` wide, as in a child given COLUMNS: a console made
    while COLUMNS is set (pytest-xdist sets it in its workers) keeps that width for good."""
    consoles = [
        value
        for name, module in list(sys.modules.items())
        if name.startswith("app.") and module is not None
        for value in vars(module).values()
        if isinstance(value, Console)
    ]
    widths = [console._width for console in consoles]
    for console in consoles:
        console.width = columns
    try:
        yield
    finally:
        for console, width in zip(consoles, widths, strict=True):
            console._width = width


def demo_loaded(database_url: str, *, port: int | None = None, media_dir: Path | None = None) -> None:
    """The demo newsroom as `byline demo load` leaves it for a server on `port` (the default one when
    not given) given the same database and BYLINE_MEDIA_DIR (unset: the media folder beside an SQLite
    database), whose pictures are then served at the URLs the articles name."""
    where = {"port": port} if port else {}
    load_demo(Settings(_env_file=None, database_url=database_url, media_dir=media_dir and str(media_dir), **where))


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """`server` answering from a thread of its own while the block runs, closed after it. The thread
    looks for the end every 20 ms: at socketserver's default of 500, each test waited that long at its end."""
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    env: dict[str, str],
    *,
    workers: int = 1,
    log_path: Path | None = None,
    port: int | None = None,
    as_script: bool = False,
) -> Iterator[str]:
    """Yield the base URL of a server started with `env` once it answers; its log is printed if it
    fails, and kept at `log_path` if one is given."""
    with served(env, workers=workers, log_path=log_path, port=port, as_script=as_script) as (_, base):
        yield base


# TCP states as /proc/net/tcp writes them.
LISTENING, ESTABLISHED = "0A", "01"


def sockets_of(pid: int | str, port: int, *, state: str) -> set[str]:
    """The sockets (inodes) a process holds on a local port in a TCP state."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # closed while listed
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state and fields[9] in inodes:
                found.add(fields[9])
    return found


def _children(pid: int | str) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []


def _command_line(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""  # ended since it was listed


def workers_of(pid: int | str) -> list[str]:
    """The worker processes of `byline serve --workers N`: the children of its fork server, or its own
    when it forks them itself (started by the preloaded launcher); never multiprocessing's resource
    tracker. None while the server starts or has ended."""
    children = {child: _command_line(child) for child in _children(pid)}
    forkservers = [child for child, command in children.items() if b"forkserver" in command]
    if forkservers:
        return _children(forkservers[0])
    return [child for child, command in children.items() if b"resource_tracker" not in command]


def wait_until_each_listens(workers: list[str] | list[int], port: int, *, seconds: float = 60) -> bool:
    """Whether every worker listens on a socket of its own within `seconds`: a worker that starts
    later than the first answer gets no connection of a burst that comes before it listens."""
    deadline = time.monotonic() + seconds
    while len(set().union(*(sockets_of(worker, port, state=LISTENING) for worker in workers))) < len(workers):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class _Launcher:
    """This test process's tests/server/preloaded.py, which starts `byline` commands as forks of a
    process that has loaded the app already."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        script = Path(__file__).with_name("preloaded.py")
        # Ends when this process does: its end of the channel closes then.
        self._process = subprocess.Popen(
            [sys.executable, str(script), str(theirs.fileno())], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL
        )
        theirs.close()
        self._channel = ours
        self._turn = threading.Lock()

    def ask(self, request: dict, fds: Sequence[int] = ()) -> dict:
        with self._turn:
            socket.send_fds(self._channel, [json.dumps(request).encode()], list(fds))
            answer = self._channel.recv(1 << 16)
        if not answer:
            raise RuntimeError(f"the preloaded launcher ended with {self._process.wait()}")
        return json.loads(answer)


@functools.cache
def _launcher() -> _Launcher:
    return _Launcher()


class Started:
    """A `byline` command the launcher started: what tests use of a subprocess.Popen."""

    def __init__(self, args: list[str], *, env: dict[str, str], output: int) -> None:
        self.args, self.returncode = args, None
        request = {"start": args, "env": env, "cwd": os.getcwd()}
        self.pid: int = _launcher().ask(request, fds=[output, output])["pid"]

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = _launcher().ask({"poll": self.pid})["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["byline", *self.args], timeout or 0)
            time.sleep(0.01)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # never a signal to a pid that may be another process's by now
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


@contextmanager
def served(
    env: dict[str, str],
    *,
    workers: int = 1,
    log_path: Path | None = None,
    port: int | None = None,
    as_script: bool = False,
) -> Iterator[tuple[Started | subprocess.Popen, str]]:
    """The server process (leading its own process group, so its workers can be killed with it) and its
    base URL: on `port`, or on a free one. It is started as `byline serve` by the preloaded launcher,
    or by the `byline` script itself (`as_script`), whose supervisor loads no app."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    # Only the settings given here: none leak in from the caller's environment.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BYLINE_")}
    env = inherited | {"BYLINE_PUBLIC_URL": base, "BYLINE_LOG_LEVEL": "warning"} | env
    with open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+") as log:  # noqa: SIM115 - closed by with
        command = ["serve", "--port", str(port), "--workers", str(workers)]
        server: Started | subprocess.Popen = (
            subprocess.Popen([BYLINE, *command], env=env, stdout=log, stderr=log, start_new_session=True)
            if as_script
            else Started(command, env=env, output=log.fileno())
        )
        try:
            deadline = time.monotonic() + 60
            with loopback.client(timeout=1) as probe:
                while True:
                    try:
                        probe.get(f"{base}/api/v1")
                        break
                    except httpx.TransportError:
                        if server.poll() is not None or time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)
            yield server, base
        except BaseException:
            log.seek(0)
            print(log.read()[-3000:], file=sys.stderr)
            raise
        finally:
            if server.poll() is None:
                server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
