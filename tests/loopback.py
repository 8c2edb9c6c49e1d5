"""HTTP to the servers and services the tests start on loopback, as httpx's own functions and clients
make it, but with one TLS context for all of them: httpx loads the certificate authorities for every
client it makes, and `httpx.get` makes one for each call, 20 ms of CPU each time (36 s of the
suite's), which no plain-HTTP request to loopback needs."""

import ssl
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

_TLS = ssl.create_default_context()


def client(**options: Any) -> httpx.Client:
    """An httpx.Client as `httpx.Client(**options)` makes it."""
    return httpx.Client(verify=_TLS, **options)


def async_client(**options: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient as `httpx.AsyncClient(**options)` makes it."""
    return httpx.AsyncClient(verify=_TLS, **options)


# As httpx.get and the others send: each request on a new connection, and no cookie kept for the next.
_each_alone = client(
    limits=httpx.Limits(max_keepalive_connections=0),
    cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
)
get = _each_alone.get
post = _each_alone.post
put = _each_alone.put
patch = _each_alone.patch
delete = _each_alone.delete
head = _each_alone.head
