"""Wire shapes of webhook endpoints and their deliveries log. No shape but the creation receipt holds the secret."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, BaseModel, Field, UrlConstraints, field_validator

from app.core.patching import Patch
from app.webhooks.events import WebhookEvent

# Only http and https: a receiver is something the worker can POST to.
ReceiverUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], max_length=2000, host_required=True)]


class WebhookCreate(BaseModel):
    url: ReceiverUrl = Field(description="Where events are POSTed; http or https.")
    events: list[WebhookEvent] = Field(min_length=1, description="The events this endpoint receives.")
    description: str = Field("", max_length=200)

    @field_validator("events")
    @classmethod
    def once_each(cls, events: list[WebhookEvent]) -> list[WebhookEvent]:
        return list(dict.fromkeys(events))


class WebhookUpdate(Patch):
    """Only the fields sent change; the signing secret stays."""

    url: ReceiverUrl | None = None
    events: list[WebhookEvent] | None = Field(None, min_length=1)
    description: str | None = Field(None, max_length=200)

    @field_validator("url", "events", "description")
    @classmethod
    def sent_values_only(cls, value: object) -> object:
        # Runs only for fields sent: none of them may be emptied.
        if value is None:
            raise ValueError("cannot be null")
        return value

    @field_validator("events")
    @classmethod
    def once_each(cls, events: list[WebhookEvent]) -> list[WebhookEvent]:
        return list(dict.fromkeys(events))


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[WebhookEvent]
    description: str
    created_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="The signing secret (`whsec_…`). Shown only in this answer: store it now to verify signatures."
    )


class WebhookTestQueued(BaseModel):
    event_id: int = Field(description="The `webhook-id` of the ping is `msg_` and this id.")
    event_type: Literal["webhook.ping"] = "webhook.ping"


class DeliveryAttemptPublic(BaseModel):
    id: int
    delivery_id: int = Field(description="The same for every attempt at one event.")
    event_id: int
    event_type: str
    attempt: int = Field(description="1 for the first try, 2 for the first retry, ...")
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null when none came back.")
    duration_ms: int
    error: str | None = Field(description="Why the attempt failed; null when it succeeded.")
    outcome: Literal["delivered", "retrying", "failed"] = Field(
        description="`retrying`: another attempt is scheduled; `failed`: given up after the retry window."
    )
