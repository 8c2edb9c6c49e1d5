"""The webhook endpoint table. Its signing secret is kept for signing and never shown again."""

from datetime import datetime

from sqlmodel import Field

from app.db.columns import JSONDocument, Table, created_at_field


class WebhookEndpoint(Table, table=True):
    __tablename__ = "webhook_endpoint"

    id: int = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    description: str = Field(default="", max_length=200)
    # `whsec_` and base64 of 32 random bytes, as the Standard Webhooks specification has it.
    secret: str = Field(max_length=100)
    created_at: datetime = created_at_field()
