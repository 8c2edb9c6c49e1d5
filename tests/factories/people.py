"""Newsroom accounts, and signing them in through the API."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.passwords import passwords
from app.auth.roles import Role
from app.auth.users import create_user
from app.core.settings import Settings
from tests.factories.newsroom import NOW

PASSWORD = "a long enough passphrase"


def make_user(
    session: Session, settings: Settings, email: str, role: Role = Role.editor, sections: tuple[str, ...] = ()
) -> None:
    create_user(
        session,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        sections=sections,
        password=PASSWORD,
        passwords=passwords(settings),
        now=NOW,
    )


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in (the client keeps the cookie) and return the CSRF header unsafe requests need."""
    response = client.post("/api/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}
