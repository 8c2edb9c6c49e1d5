"""Wire shapes of sign-in, sessions, accounts and keys; no password, hash or token is among the answers
(a new key's value alone, once)."""

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from app.auth.models import ApiKey, User, UserSession
from app.auth.roles import Role
from app.auth.scopes import Scope
from app.core.ids import RowId
from app.core.slugs import SlugText


class SignIn(BaseModel):
    # Any string: a malformed address is answered as a wrong one, so the form reveals nothing.
    email: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    email: str
    name: str
    role: str
    sections: list[str] = Field(description="Sections the person may write in; empty means every section.")

    @classmethod
    def of(cls, user: User) -> "UserPublic":
        return cls(email=user.email, name=user.name, role=user.role, sections=user.sections)


class SessionPublic(BaseModel):
    id: int
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime = Field(
        description="When it was last used, to the minute; unused for BYLINE_SESSION_IDLE_MINUTES, it ends."
    )
    user_agent: str
    current: bool = Field(description="Whether this is the session the request came with.")

    @classmethod
    def of(cls, user_session: UserSession, *, current_id: int | None) -> "SessionPublic":
        return cls(
            id=user_session.id,
            created_at=user_session.created_at,
            expires_at=user_session.expires_at,
            last_seen_at=user_session.last_seen_at,
            user_agent=user_session.user_agent,
            current=user_session.id == current_id,
        )


class SessionInfo(BaseModel):
    user: UserPublic
    session_id: int
    csrf_token: str = Field(description="Send it back as `X-CSRF-Token` on every request that changes something.")
    second_factor_enabled: bool = Field(False, description="Whether signing in asks you for an authenticator's code.")
    second_factor_enrolment_due: bool = Field(
        False,
        description="People of your role must use a second factor: until you enrol one, this session may only enrol.",
    )


class SecondFactorRequired(BaseModel):
    """The password (or the link) was right; no session yet."""

    second_factor_required: bool = True
    pending_token: str = Field(description="Send it with a code to POST /api/v1/session/totp.")
    expires_at: datetime


Password = Annotated[str, Field(min_length=12, max_length=1024, description="At least 12 characters.")]
SectionSlugs = Annotated[
    list[SlugText], Field(max_length=100, description="Sections the person may write in; empty means every section.")
]


class UserAccount(BaseModel):
    """An account as administrators see it; never its password or hash."""

    id: int
    email: str
    name: str
    role: Role
    sections: list[str] = Field(description="Sections the person may write in; empty means every section.")
    is_active: bool
    invited: bool = Field(description="Invited and not yet accepted: the account has no password and cannot sign in.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> "UserAccount":
        return cls.model_validate(user.model_dump() | {"invited": not user.password_hash})


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    sections: SectionSlugs = []
    password: Password


class InviteCreate(BaseModel):
    email: str = Field(min_length=3, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    sections: SectionSlugs = []


# The token of an emailed link: 43 characters of base64url.
LinkToken = Annotated[str, Field(min_length=1, max_length=100, description="The `token` of the emailed link.")]


class InviteAccept(BaseModel):
    token: LinkToken
    password: Password
    name: str | None = Field(
        None, min_length=1, max_length=200, description="Your name, if the invitation misspelt it."
    )


class PasswordResetRequest(BaseModel):
    # Any string, as at sign-in: a malformed address gets the same answer as an unknown one.
    email: str = Field(min_length=1, max_length=100)


class PasswordResetRequested(BaseModel):
    """The same whether or not an account has the address."""

    note: str = "If an active account has this address, an email with a link is on its way."


class PasswordResetConfirm(BaseModel):
    token: LinkToken
    password: Password


Code = Annotated[
    str,
    Field(min_length=6, max_length=20, description="6 digits from the authenticator, or one of your recovery codes."),
]


class TotpEnrolment(BaseModel):
    """Shown once: only a sealed copy of the secret is kept."""

    secret: str = Field(description="The base32 seed, for authenticators that cannot read the URI.")
    otpauth_uri: str = Field(description="An `otpauth://totp/...` URI, usually shown as a QR code.")


class TotpEnrol(BaseModel):
    password: str = Field(min_length=1, max_length=1024, description="Your password, asked again before enrolling.")


class TotpConfirm(BaseModel):
    code: str = Field(min_length=6, max_length=10, description="The authenticator's current 6-digit code.")


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(
        description="Shown once. Each signs in once in place of a code, when the authenticator is lost."
    )


class TotpDisable(BaseModel):
    password: str | None = Field(None, min_length=1, max_length=1024)
    code: Code | None = None


class SecondFactorSignIn(BaseModel):
    pending_token: str = Field(min_length=1, max_length=200)
    code: Code


class UserUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: Role | None = None
    sections: SectionSlugs | None = None
    is_active: bool | None = Field(None, description="false: sign-ins and the person's keys are refused at once.")


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: Password


class KeyPublic(BaseModel):
    """A key as administrators see it; never its value or hash."""

    id: int
    name: str
    scopes: list[Scope]
    owner_id: int | None = Field(description="The person the key acts for; null for a service account.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> "KeyPublic":
        return cls.model_validate(key, from_attributes=True)


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself, shown this once: only its hash is stored.")


class KeyCreate(BaseModel):
    name: str = Field(
        min_length=1, max_length=100, description="Unique; names the service account when the key has no owner."
    )
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    owner_id: RowId | None = Field(
        None, description="The person the key acts for: it never does more than their role allows."
    )
    expires_at: AwareDatetime | None = None


class SignInProvider(BaseModel):
    """A way to sign in besides a password, for the sign-in screen's buttons."""

    id: str = Field(description="`oidc`: OpenID Connect single sign-on.")
    name: str = Field(description="The button's words (BYLINE_OIDC_DISPLAY_NAME).")
    start_url: str = Field(
        description="Where the browser goes to sign in; add `?next=/path` for the page to land on afterwards."
    )
