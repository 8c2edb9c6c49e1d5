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
    # The person the key acts for, with no more than their role allows; none for a service account,
    # which the key's name names.
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def grants(self, scope: Scope) -> bool:
        return Scope.admin in self.scopes or scope in self.scopes


# Plural because `user` is a reserved word in PostgreSQL.
class User(Table, table=True):
    """A person of the newsroom who signs in with an email and a password."""

    __tablename__ = "users"

    id: int = Field(default=None, primary_key=True)
    # Stored lowercased, so one address cannot hold two accounts by its spelling. At most 100
    # characters: it names the person in revisions and the media library, whose columns take 100.
    email: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    # Section slugs a contributor or editor may write in; empty means every section.
    sections: list[str] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    is_active: bool = True
    password_hash: str = Field(max_length=200)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class UserSession(Table, table=True):
    """A browser's signed-in session; only a keyed hash of its token is stored."""

    __tablename__ = "user_session"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FailedSignIn(Table, table=True):
    """A refused sign-in, counted by account and by network to rate-limit guessing."""

    __tablename__ = "failed_sign_in"

    id: int = Field(default=None, primary_key=True)
    # Keyed digests: the limits work for addresses that have no account, without storing them.
    email_hash: str = Field(max_length=64, index=True)
    network_hash: str = Field(max_length=64, index=True)
    created_at: datetime = created_at_field()
