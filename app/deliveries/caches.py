"""The caches that purges go to, and each one's purge request: Varnish (the xkey purge of
deploy/varnish/byline.vcl), Fastly (surrogate keys) and Cloudflare (cache tags). Each sends a batch
of keys in as few requests as its API allows; a batch is delivered only if every request was.

The addresses come from the operator's settings, not from users: they are not held to public
addresses as webhook receivers are.
"""

import time
from collections.abc import Callable, Iterator
from typing import Protocol

import httpx

from app.core.outbound import tls_context
from app.core.release import byline_version
from app.core.settings import Settings
from app.outbox.queue import Outcome, elapsed_ms

# Varnish reads a request header line of at most 8 KB by default (http_req_hdr_len).
VARNISH_HEADER_BYTES = 7_000
# Fastly purges up to 256 surrogate keys in one batch request.
FASTLY_KEYS = 256
# Cloudflare takes up to 100 cache tags in one purge request.
CLOUDFLARE_TAGS = 100


class Cache(Protocol):
    # What the delivery rows, logs and metrics call it.
    name: str

    def purge(self, keys: list[str]) -> Outcome:
        """Purge every answer that names any of `keys`, in as many requests as it takes."""

    def close(self) -> None: ...


def batches(keys: list[str], *, most: int | None = None, header_bytes: int | None = None) -> Iterator[list[str]]:
    """`keys` in runs of at most `most`, and, with `header_bytes`, of at most that many bytes when
    written space-separated (a key longer than that alone goes in a run of its own)."""
    run: list[str] = []
    length = -1
    for key in keys:
        longer = length + 1 + len(key)
        if run and (len(run) == most or (header_bytes is not None and longer > header_bytes)):
            yield run
            run, longer = [], len(key)
        run.append(key)
        length = longer
    if run:
        yield run


def _client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        timeout=settings.delivery_timeout_seconds,
        follow_redirects=False,
        headers={"user-agent": f"Byline-Purge/{byline_version()}"},
        verify=tls_context(),
    )


Accepted = Callable[[httpx.Response], str | None]


def _send_each(client: httpx.Client, requests: Iterator[httpx.Request], accepted: Accepted) -> Outcome:
    """The batch's requests one after another, up to the first that fails. `accepted` reads a
    response: None when the purge was done, else what went wrong."""
    started = time.monotonic()
    status = None
    for request in requests:
        try:
            response = client.send(request)
        except httpx.HTTPError as failed:
            return Outcome(delivered=False, duration_ms=elapsed_ms(started), error=f"{type(failed).__name__}: {failed}")
        status = response.status_code
        problem = accepted(response)
        if problem is not None:
            return Outcome(delivered=False, duration_ms=elapsed_ms(started), status_code=status, error=problem)
    return Outcome(delivered=True, duration_ms=elapsed_ms(started), status_code=status)


def _status_2xx(response: httpx.Response) -> str | None:
    return None if response.is_success else f"The cache answered {response.status_code}."


class Varnish:
    """`PURGE /` with the keys in an `xkey` header, which deploy/varnish/byline.vcl takes from
    the addresses its `purgers` ACL lists, and answers 200 once the objects are gone."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.name = f"varnish {url}"
        self._client = _client(settings)

    def purge(self, keys: list[str]) -> Outcome:
        runs = batches(keys, header_bytes=VARNISH_HEADER_BYTES)
        requests = (self._client.build_request("PURGE", self.url, headers={"xkey": " ".join(run)}) for run in runs)
        return _send_each(self._client, requests, _status_2xx)

    def close(self) -> None:
        self._client.close()


class Fastly:
    """`POST /service/{id}/purge` with `{"surrogate_keys": [...]}`: a body, not a Surrogate-Key
    header, since 256 long keys would outgrow what proxies take in one header."""

    def __init__(self, service_id: str, token: str, api: str, settings: Settings) -> None:
        self.name = "fastly"
        self.url = f"{api.rstrip('/')}/service/{service_id}/purge"
        self._token = token
        self._client = _client(settings)

    def purge(self, keys: list[str]) -> Outcome:
        headers = {"fastly-key": self._token, "accept": "application/json"}
        requests = (
            self._client.build_request("POST", self.url, headers=headers, json={"surrogate_keys": run})
            for run in batches(keys, most=FASTLY_KEYS)
        )
        return _send_each(self._client, requests, _status_2xx)

    def close(self) -> None:
        self._client.close()


class Cloudflare:
    """`POST /zones/{id}/purge_cache` with `{"tags": [...]}` and a bearer API token; Cloudflare
    answers 200 with `"success": false` for some refusals, so the body is read too."""

    def __init__(self, zone_id: str, token: str, api: str, settings: Settings) -> None:
        self.name = "cloudflare"
        self.url = f"{api.rstrip('/')}/zones/{zone_id}/purge_cache"
        self._token = token
        self._client = _client(settings)

    def purge(self, keys: list[str]) -> Outcome:
        headers = {"authorization": f"Bearer {self._token}"}
        requests = (
            self._client.build_request("POST", self.url, headers=headers, json={"tags": run})
            for run in batches(keys, most=CLOUDFLARE_TAGS)
        )
        return _send_each(self._client, requests, _cloudflare_success)

    def close(self) -> None:
        self._client.close()


def _cloudflare_success(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.is_success and isinstance(body, dict) and body.get("success") is True:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    said = f": {first.get('message')}" if isinstance(first, dict) else ""
    return f"Cloudflare answered {response.status_code}{said}."[:500]


def configured(settings: Settings) -> list[Cache]:
    """The caches the settings name, each with a client of its own."""
    caches: list[Cache] = [Varnish(str(url), settings) for url in settings.purge_varnish_url]
    if settings.purge_fastly_service_id and settings.purge_fastly_token:
        token = settings.purge_fastly_token.get_secret_value()
        caches.append(Fastly(settings.purge_fastly_service_id, token, str(settings.purge_fastly_api), settings))
    if settings.purge_cloudflare_zone_id and settings.purge_cloudflare_token:
        token = settings.purge_cloudflare_token.get_secret_value()
        caches.append(
            Cloudflare(settings.purge_cloudflare_zone_id, token, str(settings.purge_cloudflare_api), settings)
        )
    return caches
