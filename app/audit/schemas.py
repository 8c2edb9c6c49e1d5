"""Wire shapes of the audit log."""

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.core.acting import ActorKind
from app.core.ids import RowId


class AuditActor(BaseModel):
    kind: ActorKind
    id: int | None = Field(description="The user's or key's id; null for a command run on the server.")
    name: str = Field(description="The person's email or the key's name, as they were then.")


class AuditTarget(BaseModel):
    kind: str = Field(description="article, author, section, tag, comment, media, webhook, key or user.")
    id: int | None
    label: str = Field(description="Its slug, name, email or title, as it was then.")


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: AuditActor
    action: str = Field(description="`<target kind>.<verb>`, such as `article.publish` or `user.update`.")
    target: AuditTarget
    request_id: str | None = Field(description="The `X-Request-ID` of the request that made the change.")


class AuditFilters(BaseModel):
    actor_kind: ActorKind | None = None
    actor_id: RowId | None = Field(None, description="With `actor_kind`: one user's or key's entries.")
    action: str | None = Field(
        None, max_length=60, pattern=r"^[a-z_]+\.[a-z_]+$", description="Such as `article.update`."
    )
    target_kind: str | None = Field(None, max_length=30, pattern=r"^[a-z_]+$")
    target_id: RowId | None = None
    since: AwareDatetime | None = Field(None, description="Entries at or after this time.")
    until: AwareDatetime | None = Field(None, description="Entries before this time.")
