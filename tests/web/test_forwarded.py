"""The reader's address and scheme behind trusted proxies follow uvicorn's ProxyHeadersMiddleware,
whose rules the app's own middleware keeps, except that a value which is not an IP address leaves
the proxy's address in place."""

import asyncio
import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.web.middleware.forwarded import ForwardedClientMiddleware

addresses = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.sampled_from(["10.0.0.1", "10.0.0.9", "192.0.2.10", "::1", "2001:db8::7"]),
)
networks = st.sampled_from(["10.0.0.0/24", "2001:db8::/64", "192.0.2.0/30"])
forwarded_values = st.one_of(
    addresses,
    addresses.map(lambda address: f"[{address}]:8443" if ":" in address else f"{address}:8443"),
    st.sampled_from(["unknown", "", "_hidden", "[::1", "10.0.0.1:port", "2001:db8::1%eth0"]),
)


def _seen(middleware_class, trusted: list[str], peer: tuple[str, int], headers: list[tuple[bytes, bytes]]) -> dict:
    seen: dict = {}

    async def app(scope, receive, send) -> None:
        seen.update(client=scope["client"], scheme=scope["scheme"])

    scope = {"type": "http", "client": peer, "scheme": "http", "headers": headers}
    if middleware_class is ProxyHeadersMiddleware:
        middleware = ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    else:
        middleware = ForwardedClientMiddleware(app, trusted_proxies=trusted)
    asyncio.run(middleware(scope, None, None))
    return seen


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return "%" not in host


@settings(max_examples=300, deadline=None)
@given(
    trusted=st.lists(st.one_of(addresses, networks), max_size=4),
    peer=addresses,
    chain=st.lists(forwarded_values, max_size=4),
    proto=st.one_of(st.none(), st.sampled_from([b"https", b" http ", b"wss", b"gopher"])),
)
def test_the_client_and_scheme_are_uvicorns_when_it_finds_an_address(trusted, peer, chain, proto):
    headers = [(b"x-forwarded-for", ", ".join(chain).encode())] if chain else []
    if proto is not None:
        headers.append((b"x-forwarded-proto", proto))
    expected = _seen(ProxyHeadersMiddleware, trusted, (peer, 1234), headers)
    if not _is_ip(expected["client"][0]):
        expected["client"] = (peer, 1234)
    assert _seen(ForwardedClientMiddleware, trusted, (peer, 1234), headers) == expected


def test_an_address_spelled_otherwise_is_still_the_trusted_proxy():
    # The second proxy wrote the first one's address in full; the reader is the one before it.
    headers = [(b"x-forwarded-for", b"203.0.113.5, 2001:0db8:0000:0000:0000:0000:0000:0007")]
    seen = _seen(ForwardedClientMiddleware, ["2001:db8::7", "::1"], ("::1", 1), headers)
    assert seen["client"] == ("203.0.113.5", 0)


def test_every_peer_is_trusted_with_a_star():
    seen = _seen(ForwardedClientMiddleware, ["*"], ("198.51.100.1", 1), [(b"x-forwarded-for", b"203.0.113.5")])
    assert seen["client"] == ("203.0.113.5", 0)


def test_a_proxy_written_with_its_link_is_still_trusted_within_a_network():
    # Found by the property above: uvicorn reads "2001:db8::1%eth0" as an address of the trusted network.
    headers = [(b"x-forwarded-for", b"10.0.0.1, 2001:db8::1%eth0")]
    seen = _seen(ForwardedClientMiddleware, ["2001:db8::/64"], ("2001:db8::7", 1), headers)
    assert seen["client"] == ("10.0.0.1", 0)
    # Not so for a proxy trusted by its address alone, nor is the link ever a reader's address.
    seen = _seen(ForwardedClientMiddleware, ["2001:db8::1", "2001:db8::7"], ("2001:db8::7", 1), headers)
    assert seen["client"] == ("2001:db8::7", 1)
