"""Newsroom accounts, and signing them in through the API."""

from sqlmodel import Session

from app.auth.passwords import passwords
from app.auth.roles import Role
from app.auth.users import create_user
from app.core.sealing import unseal
from app.core.settings import Settings
from app.mail import accounts
from app.outbox.service import pending_events
from tests.app_client import AppClient
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


def sign_in(client: AppClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in (the client keeps the cookie) and return the CSRF header unsafe requests need."""
    response = client.post("/api/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def emailed_link(session: Session, settings: Settings, to: str) -> str:
    """The token of the newest link emailed to `to` and still in the outbox, opened as the mailer opens it."""
    events = [
        e for e in pending_events(session, topic=accounts.TOPIC) if e.payload["to"] == to and "sealed_link" in e.payload
    ]
    # Writes begin immediately on SQLite: a read left open would hold the app's next write.
    session.commit()
    link = unseal(settings.secret_key.get_secret_value(), "account-link", events[-1].payload["sealed_link"])
    assert link is not None
    return link.partition("?token=")[2]


def audit_actions(client: AppClient, headers: dict[str, str], **query: str) -> list[tuple[str, str, str]]:
    """(action, actor, target) of the audit log's entries, newest first."""
    entries = client.get("/api/v1/audit", params=query, headers=headers).json()["data"]
    return [(e["action"], e["actor"]["name"], e["target"]["label"]) for e in entries]
