"""Wire shapes of sign-in and sessions; no password, hash or session token is ever among them."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.auth.models import User, UserSession


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
    user_agent: str
    current: bool = Field(description="Whether this is the session the request came with.")

    @classmethod
    def of(cls, user_session: UserSession, *, current_id: int | None) -> "SessionPublic":
        return cls(
            id=user_session.id,
            created_at=user_session.created_at,
            expires_at=user_session.expires_at,
            user_agent=user_session.user_agent,
            current=user_session.id == current_id,
        )


class SessionInfo(BaseModel):
    user: UserPublic
    session_id: int
    csrf_token: str = Field(description="Send it back as `X-CSRF-Token` on every request that changes something.")
