"""The reader's address behind a proxy: X-Forwarded-For is believed only from proxies the operator
named, and only when it holds an IP address, so nobody can rotate "networks" to dodge rate limits.

The rules are uvicorn's ProxyHeadersMiddleware's (X-Forwarded-Proto sets the scheme; the client is
the right-most address of X-Forwarded-For that is not a trusted proxy; "*" trusts every peer), with
addresses compared as bytes: uvicorn parsed each reader's address with `ipaddress` to see whether it
was a proxy's, a third of what counting a view cost."""

import ipaddress
import socket

from starlette.types import ASGIApp, Receive, Scope, Send

_SCHEMES = {"http", "https", "ws", "wss"}


def _packed(value: str) -> bytes | None:
    # The C parser, seven times faster than `ipaddress`, which also takes an IPv6 zone ("fe80::1%eth0")
    # that names a link of the proxy's own and no reader.
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(family, value)
        except OSError:
            continue
    return None


def _zoned_v6(value: str) -> bytes | None:
    """An IPv6 address with a zone ("fe80::1%eth0") as `ipaddress` reads it: a proxy inside a trusted
    network whatever link it names, as uvicorn's rules have it; never a reader."""
    address, percent, zone = value.partition("%")
    if not percent or not zone or "%" in zone:
        return None
    try:
        return socket.inet_pton(socket.AF_INET6, address)
    except OSError:
        return None


def _port(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _host_and_port(value: str) -> tuple[str, int]:
    """A forwarded `host`, `host:port` or `[v6]:port`; anything else whole, without a port."""
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return value, 0
        return host, _port(rest[1:]) or 0
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        number = _port(port)
        return (value, 0) if number is None else (host, number)
    return value, 0


class TrustedProxies:
    """The operator's proxies: addresses, networks, other names (a Unix socket's path) or "*"."""

    def __init__(self, proxies: list[str]) -> None:
        self.everyone = "*" in proxies
        self._names: set[str] = set()
        self._addresses: set[bytes] = set()
        self._networks: list[tuple[int, int, int]] = []  # (address length, network, mask)
        for proxy in proxies:
            try:
                network = ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError:
                self._names.add(proxy)
                continue
            if "/" not in proxy:
                self._addresses.add(network.network_address.packed)
            else:
                size = len(network.network_address.packed)
                self._networks.append((size, int(network.network_address), int(network.netmask)))

    def __contains__(self, host: str) -> bool:
        if self.everyone:
            return True
        packed = _packed(host)
        if packed is None:
            zoned = _zoned_v6(host)
            return self._in_networks(zoned) if zoned is not None else host in self._names
        return packed in self._addresses or self._in_networks(packed)

    def _in_networks(self, packed: bytes) -> bool:
        number = int.from_bytes(packed)
        return any(len(packed) == size and number & mask == network for size, network, mask in self._networks)

    def client(self, forwarded_for: str) -> tuple[str, int]:
        """The right-most address not a trusted proxy's (each proxy appends the one it heard from);
        the left-most when all are."""
        hosts = [_host_and_port(item.strip()) for item in forwarded_for.split(",")]
        for host, port in reversed(hosts):
            if host not in self:
                return host, port
        return hosts[0]


class ForwardedClientMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: list[str]) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            forwarded(scope, self.trusted)
        await self.app(scope, receive, send)


def forwarded(scope: Scope, trusted: TrustedProxies) -> None:
    """The scheme and client in `scope` as the trusted proxy in front heard them."""
    peer = scope.get("client")
    if not peer or peer[0] not in trusted:
        return
    proto: bytes | None = None
    forwarded_for: list[bytes] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-proto":
            proto = value
        elif name == b"x-forwarded-for":
            forwarded_for.append(value)
    if proto is not None and (scheme := proto.decode("latin-1").strip()) in _SCHEMES:
        scope["scheme"] = scheme.replace("http", "ws") if scope["type"] == "websocket" else scheme
    if forwarded_for:
        host, port = trusted.client(b", ".join(forwarded_for).decode("latin-1"))
        # Whatever else the header held is ignored: the proxy's own address counts instead.
        if _packed(host) is not None:
            scope["client"] = (host, port)
