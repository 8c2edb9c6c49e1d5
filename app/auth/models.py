"""The API key table: only a keyed hash of each key is stored."""

from datetime import datetime

from sqlmodel import Field

from app.auth.scopes import Scope
from app.db.columns import JSONDocument, Table, UTCDateTime, created_at_field

SCOPE_DESCRIPTIONS = {
    Scope.content_write: "Create and change articles, authors, sections and tags; read revisions.",
    Scope.content_preview: "Read drafts and scheduled articles.",
    Scope.content_embargo: "Read articles before their embargo lifts.",
    Scope.comments_moderate: "Moderate comments.",
    Scope.media_write: "Upload, read, change and delete pictures in the media library.",
    Scope.admin: "Everything, including hard deletes.",
}


class ApiKey(Table, table=True):
    __tablename__ = "api_key"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def grants(self, scope: Scope) -> bool:
        return Scope.admin in self.scopes or scope in self.scopes
