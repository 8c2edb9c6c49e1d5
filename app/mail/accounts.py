"""The emails about an account: those carrying a link (an invitation to join, a password reset), whose
link waits in the outbox sealed (app.core.sealing) so the outbox's rows alone open no account; and
notices that the way one signs in changed, so the person learns of a change they did not make."""

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from sqlmodel import Session

from app.core.sealing import seal, unseal
from app.core.settings import Settings
from app.mail.policy import MAIL_POLICY
from app.outbox import service as outbox

TOPIC = "account.email"
_SEALED = "account-link"


def queue_link(
    session: Session,
    *,
    to: str,
    name: str,
    kind: str,
    link: str,
    expires_at: datetime,
    settings: Settings,
    now: datetime,
) -> None:
    """In the caller's transaction: the email goes only if the link it carries was stored. `kind` is
    `invite` or `reset`."""
    payload = {
        "to": to,
        "name": name,
        "kind": kind,
        "sealed_link": seal_link(link, settings=settings),
        "expires_at": expires_at.isoformat(),
    }
    outbox.emit(session, TOPIC, payload, now=now)


# A notice's subject and what it says happened, by kind.
NOTICES = {
    "password": ("Your {site} password was changed", "the password of your {site} account was changed"),
    "totp_enrol": (
        "An authenticator was added to your {site} account",
        "an authenticator app now signs in to your {site} account as its second factor",
    ),
    "totp_reuse": (
        "A used authenticator code was sent for your {site} account",
        "someone who knows your password sent a code of your authenticator that had already been used",
    ),
    "totp_disable": (
        "The authenticator was removed from your {site} account",
        "your {site} account no longer asks for an authenticator's code when signing in",
    ),
}


def queue_notice(session: Session, *, to: str, name: str, kind: str, now: datetime) -> None:
    """In the caller's transaction, so the notice goes only if the change is made. `kind` is a key of NOTICES."""
    outbox.emit(session, TOPIC, {"to": to, "name": name, "kind": kind, "at": now.isoformat()}, now=now)


def seal_link(link: str, *, settings: Settings) -> str:
    return seal(settings.secret_key.get_secret_value(), _SEALED, link)


def account_message(payload: dict, *, sender: str, settings: Settings, at: datetime, message_id: str) -> EmailMessage:
    """A link in plain text with an HTML alternative, a notice in plain text. A link sealed under a
    secret key since replaced cannot be opened: the message then says to ask for a new one."""
    site, name = settings.site_name, payload["name"]
    if payload["kind"] in NOTICES:
        return _notice(payload, sender=sender, site=site, at=at, message_id=message_id)
    link = unseal(settings.secret_key.get_secret_value(), _SEALED, payload["sealed_link"])
    until = format_datetime(datetime.fromisoformat(payload["expires_at"]))
    if payload["kind"] == "invite":
        subject = f"You are invited to {site}"
        lead = f"Hello {name}, you are invited to join {site}. Choose your password here:"
    else:
        subject = f"Reset your {site} password"
        lead = f"Hello {name}, someone asked to reset your {site} password. If it was you, choose a new one here:"
    message = _message(payload["to"], subject, sender=sender, at=at, message_id=message_id)
    if link is None:
        message.set_content(f"Hello {name}, this {site} link can no longer be used; ask for a new one.\n")
        return message
    message.set_content(
        f"{lead}\n\n{link}\n\nThe link works once, until {until}. If you did not expect this email, ignore it.\n"
    )
    e = html.escape
    message.add_alternative(
        f'<p>{e(lead)}</p><p><a href="{e(link)}">{e(link)}</a></p>'
        f"<p>The link works once, until {e(until)}. If you did not expect this email, ignore it.</p>",
        subtype="html",
    )
    return message


def _notice(payload: dict, *, sender: str, site: str, at: datetime, message_id: str) -> EmailMessage:
    subject, what = (part.format(site=site) for part in NOTICES[payload["kind"]])
    when = format_datetime(datetime.fromisoformat(payload["at"]))
    message = _message(payload["to"], subject, sender=sender, at=at, message_id=message_id)
    message.set_content(
        f"Hello {payload['name']}, {what} on {when}.\n\nIf this was you, there is nothing to do. If it was not, "
        f"reset your password from the sign-in page at once and tell an administrator.\n"
    )
    return message


def _message(to: str, subject: str, *, sender: str, at: datetime, message_id: str) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    return message
