"""POSTing one signed event to one endpoint."""

import time
from datetime import datetime

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from app.core import outbound
from app.core.release import byline_version
from app.core.settings import Settings
from app.outbox.queue import Claimed, Outcome, elapsed_ms
from app.webhooks import events, signing
from app.webhooks.models import WebhookEndpoint

INTERNAL_FAILURE = "The delivery to an internal address failed."


class WebhookSender:
    """Shared by a worker's threads: httpx clients pool connections and are safe to use from several."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.destinations = settings.destinations
        self.client = httpx.Client(
            timeout=settings.delivery_timeout_seconds,
            # A redirect is the receiver's mistake to fix; following it would send signed events elsewhere.
            follow_redirects=False,
            headers={"user-agent": f"Byline-Webhooks/{byline_version()}"},
            verify=outbound.tls_context(),
        )

    def __call__(self, claimed: Claimed, *, at: datetime) -> Outcome:
        with Session(self.engine) as session:
            endpoint = session.get(WebhookEndpoint, claimed.endpoint_id)
        if endpoint is None:
            return Outcome(delivered=False, duration_ms=0, error="The endpoint was removed.", permanent=True)
        body = events.body(claimed.event_type, claimed.payload, occurred_at=claimed.occurred_at, settings=self.settings)
        # One id per event, the same on every retry, so receivers can drop duplicates.
        headers = signing.signed_headers(endpoint.secret, message_id=f"msg_{claimed.event_id}", body=body, at=at)
        started = time.monotonic()
        try:
            target = outbound.resolve(endpoint.url, self.destinations)
        except (outbound.DestinationRefused, outbound.DestinationUnknown) as refused:
            return Outcome(delivered=False, duration_ms=elapsed_ms(started), error=str(refused))
        try:
            # Streamed and never read: only the status matters, and a huge answer must not be downloaded.
            with outbound.stream(
                self.client,
                "POST",
                target,
                content=body.encode(),
                headers=headers | {"content-type": "application/json"},
            ) as response:
                status = response.status_code
        except httpx.HTTPError as failed:
            # How an internal host failed (refused, timed out) would map its ports for whoever reads the log.
            error = f"{type(failed).__name__}: {failed}" if target.public else INTERNAL_FAILURE
            return Outcome(delivered=False, duration_ms=elapsed_ms(started), error=error)
        delivered = 200 <= status < 300
        if not (delivered or target.public):
            return Outcome(delivered=False, duration_ms=elapsed_ms(started), error=INTERNAL_FAILURE)
        return Outcome(
            delivered=delivered,
            duration_ms=elapsed_ms(started),
            status_code=status,
            error=None if delivered else f"The endpoint answered {status}.",
        )

    def close(self) -> None:
        self.client.close()
