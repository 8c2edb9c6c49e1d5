"""Requests to addresses that users give (webhook receivers, remote feeds): only to public internet
addresses. Every address a name resolves to is checked, and the connection goes to an address that
was checked, so a name that resolves differently a moment later (DNS rebinding) reaches nothing
unchecked. Hosts and networks in `BYLINE_ALLOWED_INTERNAL_HOSTS` are let through, for development
and tests."""

import ipaddress
import socket
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationRefused(Exception):
    """The destination is, or resolves to, an address Byline does not send to."""


class DestinationUnknown(Exception):
    """The destination's name does not resolve."""


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any spelling resolvers accept (127.1, 0x7f.1, 2130706433, [::1])."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare.split("%")[0])
    except ValueError:
        pass
    try:
        # The C library's own reading: what a connection to this "name" would reach.
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, UnicodeError, ValueError):
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to (mapped, compatible, 6to4, Teredo, NAT64)."""
    if int(address) >> 32 == 0:
        return ipaddress.IPv4Address(int(address))
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)


def is_public(address: IPAddress) -> bool:
    """Reachable on the public internet: not loopback, private, link-local, shared, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class Destinations:
    """Where outbound requests may go: public addresses, and these hosts and networks besides."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> "Destinations":
        """From `BYLINE_ALLOWED_INTERNAL_HOSTS`: addresses or networks (`127.0.0.1`, `10.0.0.0/8`) and host names."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def permits(self, address: IPAddress) -> bool:
        return is_public(address) or any(address in network for network in self.allowed_networks)

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address the host resolves to, all of them permitted; else DestinationRefused."""
        literal = literal_address(host)
        if literal is not None:
            found = [literal]
        else:
            try:
                answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as unknown:
                raise DestinationUnknown(f"The name '{host}' does not resolve.") from unknown
            found = list(dict.fromkeys(ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers))
        if host.lower().rstrip(".") in self.allowed_hosts:
            return found
        if not all(self.permits(address) for address in found):
            raise DestinationRefused(
                f"'{host}' is or resolves to an address that is not public (loopback, private, link-local, "
                "reserved or multicast); BYLINE_ALLOWED_INTERNAL_HOSTS can allow it."
            )
        return found

    def check(self, url: str) -> None:
        """Refuse a URL whose host is, or now resolves to, an address not permitted. A name that does
        not resolve yet passes: each request checks again."""
        try:
            resolve(url, self)
        except DestinationUnknown:
            return


PUBLIC_ONLY = Destinations()


@dataclass(frozen=True)
class Target:
    """A URL and the checked address its requests connect to."""

    url: httpx.URL
    address: IPAddress

    @property
    def public(self) -> bool:
        """Whether it is a public address: how an internal one fails is told generically."""
        return is_public(self.address)


def resolve(url: str, destinations: Destinations) -> Target:
    """The URL with the first of its host's addresses, all checked; DestinationRefused or DestinationUnknown."""
    target = httpx.URL(url)
    [address, *_] = destinations.addresses(target.host, target.port or _DEFAULT_PORTS.get(target.scheme, 80))
    return Target(target, address)


@contextmanager
def stream(client: httpx.Client, method: str, target: Target, **options: Any) -> Iterator[httpx.Response]:
    """`client.stream(method, url, ...)` connected to the target's checked address, never following a
    redirect (the caller resolves the next URL again)."""
    headers = httpx.Headers(options.pop("headers", None))
    headers["host"] = target.url.netloc.decode("ascii")
    # TLS still names and verifies the host itself.
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    pinned = target.url.copy_with(host=str(target.address))
    with client.stream(
        method, pinned, headers=headers, extensions=extensions, follow_redirects=False, **options
    ) as response:
        yield response


@cache
def tls_context() -> ssl.SSLContext:
    """The certificate authorities, loaded once per process for every client that verifies with them:
    loading them for each new client took 30-40 ms of CPU."""
    return httpx.create_ssl_context()


class FetchFailed(Exception):
    """A GET through the guard failed; the message says why, fit to show to whoever named the URL."""


class FetchTooLarge(FetchFailed):
    """The answer's body is larger than the caller takes."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    url: str
    content_type: str


def fetch(
    url: str,
    destinations: Destinations,
    *,
    max_bytes: int,
    timeout: httpx.Timeout,
    headers: dict[str, str],
    max_redirects: int = 5,
) -> Fetched:
    """GET `url` at checked addresses only, each redirect checked again, the body (counted as
    decoded, so a small compressed answer cannot expand past it) at most `max_bytes`."""
    try:
        with httpx.Client(timeout=timeout, headers=headers, verify=tls_context()) as client:
            for _ in range(max_redirects + 1):
                with stream(client, "GET", resolve(url, destinations)) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = str(httpx.URL(url).join(response.headers["location"]))
                        continue
                    if response.status_code >= 400:
                        raise FetchFailed(f"{url} answered {response.status_code} {response.reason_phrase}")
                    size, chunks = 0, []
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchTooLarge(f"{url} sends more than {max_bytes} bytes")
                        chunks.append(chunk)
                    return Fetched(b"".join(chunks), url, response.headers.get("content-type", ""))
            raise FetchFailed(f"{url} redirects more than {max_redirects} times")
    except (DestinationRefused, DestinationUnknown) as refused:
        raise FetchFailed(str(refused)) from None
    except httpx.TimeoutException:
        raise FetchFailed(f"{url} did not answer in time") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"cannot fetch {url}: {error}") from None
