"""uvicorn's internals that `byline serve` builds on, checked against the installed uvicorn: each
failure names the release and what differs, to be adapted in app/server/http_protocol.py or
app/server/supervisor.py before the bounds on uvicorn in pyproject.toml allow that release."""

import inspect
import re
from collections.abc import Callable
from typing import Any

import orjson
import pytest
import uvicorn
from uvicorn import _subprocess
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from app.core.settings import Settings
from app.server import http_protocol
from app.server.http_protocol import ControlCharacters, DeadlineHttpProtocol
from app.server.supervisor import Supervisor
from tests.server import exchange

UPGRADE = f"uvicorn {uvicorn.__version__} differs from the internals app/server/http_protocol.py relies on"


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


OVERRIDDEN = [
    name
    for name, value in vars(DeadlineHttpProtocol).items()
    if inspect.isfunction(value)
    and name not in {"_arm_header_deadline", "_disarm_header_deadline", "_headers_overdue", "_answered_on_arrival"}
]


@pytest.mark.parametrize("name", OVERRIDDEN)
def test_each_protocol_method_overridden_is_uvicorns_with_the_same_parameters(name: str) -> None:
    theirs = getattr(HttpToolsProtocol, name, None)
    assert theirs is not None, f"{UPGRADE}: HttpToolsProtocol.{name} is gone, so the override never runs"
    ours = getattr(DeadlineHttpProtocol, name)
    assert _parameters(ours) == _parameters(theirs), f"{UPGRADE}: HttpToolsProtocol.{name} takes new parameters"


def test_every_request_is_started_through_start_asgi_task() -> None:
    """Absent, or no longer called, the override that answers the connection limit would silently never run."""
    for caller in (HttpToolsProtocol.on_headers_complete, HttpToolsProtocol.on_response_complete):
        assert "self._start_asgi_task(" in inspect.getsource(caller), f"{UPGRADE}: {caller.__qualname__}"
    assert "service_unavailable" in inspect.getsource(HttpToolsProtocol.on_headers_complete), UPGRADE


def test_the_header_value_check_is_a_pattern_that_control_characters_mirrors() -> None:
    pattern = httptools_impl.HEADER_VALUE_RE
    assert isinstance(pattern, re.Pattern), f"{UPGRADE}: HEADER_VALUE_RE is no longer a compiled pattern"
    for byte in range(256):
        value = b"article:one " + bytes([byte])
        assert ControlCharacters().search(value) == (pattern.search(value) is not None), (UPGRADE, byte)
    assert isinstance(httptools_impl.HEADER_RE, re.Pattern), f"{UPGRADE}: HEADER_RE, which header_lines uses"


def test_a_response_cycle_keeps_the_transport_and_completion_the_protocol_swaps() -> None:
    assert {"transport", "on_response"} <= set(_parameters(RequestResponseCycle.__init__)), UPGRADE
    source = inspect.getsource(RequestResponseCycle)
    for attribute in ("self.transport = transport", "self.on_response = on_response", "self.response_complete"):
        assert attribute in source, f"{UPGRADE}: RequestResponseCycle no longer sets {attribute}"


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["path"] == "/prepared":
        assert http_protocol.prepare_headers(send, b"x-prepared: yes\r\n"), "uvicorn's send is no longer its cycle's"
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"x-probe", b"checked"), (b"content-length", b"5")]}
    )
    await send({"type": "http.response.body", "body": b"hello"})


def _exchange(request: bytes, **config: Any) -> bytes:
    return exchange(_hello, request, **config)


GET = b"GET /prepared HTTP/1.1\r\nHost: byline\r\nConnection: close\r\n\r\n"


def test_header_lines_prepared_for_an_answer_go_out_in_its_head() -> None:
    head, _, body = _exchange(GET).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), UPGRADE
    assert b"\r\nx-prepared: yes" in head and b"\r\nx-probe: checked" in head, UPGRADE
    assert body == b"hello"


def test_over_the_connection_limit_the_answer_is_a_problem_document() -> None:
    head, _, body = _exchange(GET, limit_concurrency=1).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 "), UPGRADE
    assert b"content-type: application/problem+json" in head, f"{UPGRADE}: the connection limit's answer"
    assert orjson.loads(body)["status"] == 503


def test_a_malformed_request_is_answered_with_a_problem_document() -> None:
    head, _, body = _exchange(b"NOT HTTP\r\n\r\n").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), f"{UPGRADE}: send_400_response"
    assert orjson.loads(body)["detail"] == http_protocol.MALFORMED


def test_install_has_uvicorn_check_each_header_value_with_byline_s_checker(monkeypatch) -> None:
    # Put back as it was once this test ends: installing is for serving processes only.
    monkeypatch.setattr(httptools_impl, "HEADER_VALUE_RE", httptools_impl.HEADER_VALUE_RE)
    monkeypatch.setattr(DeadlineHttpProtocol, "header_timeout_seconds", DeadlineHttpProtocol.header_timeout_seconds)
    checked: list[bytes] = []

    class Recording(ControlCharacters):
        def search(self, value: bytes) -> bool:
            checked.append(value)
            return super().search(value)

    monkeypatch.setattr(http_protocol, "HEADER_VALUES", Recording())
    http_protocol.install(Settings(header_timeout_seconds=3))
    assert httptools_impl.HEADER_VALUE_RE is http_protocol.HEADER_VALUES
    # The deadline the serving process's settings give, not one read again from the environment.
    assert DeadlineHttpProtocol.header_timeout_seconds == 3
    _exchange(b"GET / HTTP/1.1\r\nHost: byline\r\nConnection: close\r\n\r\n")
    assert b"checked" in checked, f"{UPGRADE}: its responses no longer read HEADER_VALUE_RE"


def test_the_protocol_is_given_the_app_itself_so_it_finds_what_the_app_has_at_hand() -> None:
    class AtHand:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None: ...

        def answer_on_arrival(self, scope: Any) -> None: ...

    app = AtHand()
    # As `byline serve` configures it: forwarded headers are the app's own to read.
    config = uvicorn.Config(app, http=DeadlineHttpProtocol, proxy_headers=False, log_level="warning")
    config.load()
    assert config.loaded_app is app, f"{UPGRADE}: it wraps the app, so answers at hand are never found"
    assert http_protocol.STATUS_LINE[202].startswith(b"HTTP/1.1 202 "), f"{UPGRADE}: STATUS_LINE"
    source = inspect.getsource(RequestResponseCycle)
    for attribute in ("self.waiting_for_100_continue", "self.keep_alive", "self.response_started"):
        assert attribute in source, f"{UPGRADE}: RequestResponseCycle no longer sets {attribute}"
    assert "self.flow.write_paused" in source, f"{UPGRADE}: the flow control's write_paused"
    assert "self.timeout_keep_alive_task = None" in inspect.getsource(HttpToolsProtocol._unset_keepalive_if_required)


def test_the_supervisor_overrides_what_multiprocess_still_has() -> None:
    upgrade = (
        f"uvicorn {uvicorn.__version__} differs in its Multiprocess supervisor, which app/server/supervisor.py extends"
    )
    assert _parameters(Multiprocess.__init__) == ["self", "config", "sockets"], upgrade
    assert _parameters(Supervisor.keep_subprocess_alive) == _parameters(Multiprocess.keep_subprocess_alive), upgrade
    # The workers it replaces: the list the override compares before and after, each with its pid and exit code.
    assert "self.processes[" in inspect.getsource(Multiprocess.keep_subprocess_alive), upgrade
    assert isinstance(Process.pid, property) and isinstance(Process.exitcode, property), upgrade
    assert "timeout_worker_healthcheck" in _parameters(uvicorn.Config.__init__), upgrade
    # Workers are made in `run`, after the supervisor is built, through the context `spawn` names.
    assert "Process(" not in inspect.getsource(Multiprocess.__init__), upgrade
    assert "spawn.Process(" in inspect.getsource(_subprocess.get_subprocess), upgrade
