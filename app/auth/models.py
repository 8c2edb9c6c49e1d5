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
    # For the idle timeout; recorded to the minute (app.auth.sessions.SEEN_RESOLUTION).
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class FailedSignIn(Table, table=True):
    """A refused sign-in (or a password reset asked for), counted by account and by network to
    rate-limit guessing."""

    __tablename__ = "failed_sign_in"

    id: int = Field(default=None, primary_key=True)
    # What was tried: `sign_in` (a password or a second factor's code) or `reset` (a reset email
    # asked for), each under its own limits, so asking for reset emails locks nobody out.
    attempt: str = Field(default="sign_in", max_length=20)
    # Keyed digests: the limits work for addresses that have no account, without storing them.
    email_hash: str = Field(max_length=64, index=True)
    network_hash: str = Field(max_length=64, index=True)
    created_at: datetime = created_at_field()


class AccountToken(Table, table=True):
    """The token of a link sent by email, an invitation or a password reset: only a keyed hash of it
    is stored, and it is deleted when used or when a newer one of the same purpose replaces it."""

    __tablename__ = "account_token"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # `invite` or `reset`.
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)


class SecondFactor(Table, table=True):
    """A person's TOTP authenticator (RFC 6238): enrolled, then enabled once a first code proves it works."""

    __tablename__ = "second_factor"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    # The shared seed, sealed under the secret key (app.core.sealing): shown once, at enrolment.
    sealed_secret: str = Field(max_length=200)
    created_at: datetime = created_at_field()
    enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The time step of the last code accepted: a code is never accepted twice, nor one older than it.
    last_step: int | None = None


class RecoveryCode(Table, table=True):
    """A single-use code standing in for the authenticator; only a keyed hash is stored."""

    __tablename__ = "recovery_code"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
